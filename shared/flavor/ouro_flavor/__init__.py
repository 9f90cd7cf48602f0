"""Offline flavour: tables and grammars for names, descriptions, barks and quest text."""
