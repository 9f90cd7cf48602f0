"""The hand-authored base city, built by tools/worldgen/build_base_world.py (not a service; not imported
by the game, which reads the committed JSON in data/base/)."""
