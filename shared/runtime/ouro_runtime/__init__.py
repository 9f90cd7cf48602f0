"""Shared run-time: stream bus, settings, logging, metrics, health server."""
