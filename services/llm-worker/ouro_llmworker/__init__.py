"""LLMService: enrichment and Questmaker brains."""
