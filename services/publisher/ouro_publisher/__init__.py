"""The gate and the only commit."""
