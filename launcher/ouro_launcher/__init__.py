"""Runs the stack described by compose.yaml as local processes."""
