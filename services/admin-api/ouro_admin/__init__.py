"""REST admin API, dashboard, snapshots."""
