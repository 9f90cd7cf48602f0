"""Procedural drafts from generation jobs, seeded and reproducible."""
