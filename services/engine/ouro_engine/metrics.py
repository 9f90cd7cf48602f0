"""The engine's Prometheus metrics (the bus's own are in ouro_runtime.metrics)."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

TICK_SECONDS = Histogram("ouro_engine_tick_seconds", "Duration of one tick (systems + flush collection)",
                         buckets=(0.001, 0.0025, 0.005, 0.01, 0.02, 0.035, 0.05, 0.075, 0.1, 0.25, 0.5, 1.0))
TICK_OVERRUNS = Counter("ouro_engine_tick_overruns_total", "Ticks that took longer than the tick period")
FLUSH_SECONDS = Histogram("ouro_engine_flush_seconds", "the atomic Redis write of one flush's changes",
                          buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5))
FLUSH_FAILURES = Counter("ouro_engine_flush_failures_total", "Flushes that failed (retried next tick)")
COMMANDS = Counter("ouro_engine_commands_total", "Player command lines executed")
COMMAND_SECONDS = Histogram("ouro_engine_command_seconds", "Execution time of one command line",
                            buckets=(0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05))
COMMAND_ERRORS = Counter("ouro_engine_command_errors_total", "Commands that raised (player saw 'something went wrong')")
PATCH_SECONDS = Histogram("ouro_engine_patch_seconds", "A patch from being queued to: the pass that takes it "
                          "(waited), its chunks read (read), applied in memory (applied), written (durable)",
                          ["stage"], buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5))
PATCHES = Counter("ouro_engine_patches_total", "Patches by outcome", ["status"])
EVENTS_OUT = Counter("ouro_engine_world_events_total", "World events published", ["kind"])
ENTITIES = Gauge("ouro_engine_entities", "Entities in the world")
PLAYERS_ONLINE = Gauge("ouro_engine_players_online", "Players with a live session")
LOGINS = Counter("ouro_engine_logins_total", "Login attempts by outcome", ["outcome"])
TELNET_CLIENTS = Counter("ouro_engine_telnet_clients_total",
                         "Telnet connections by the client named in TTYPE (known names, else other/none)", ["client"])
TELNET_MTTS_FLAGS = Counter("ouro_engine_telnet_mtts_flags_total", "Telnet clients by MTTS flag they sent", ["flag"])
CHUNKS_LOADED = Gauge("ouro_engine_chunks_loaded", "Chunks whose rooms and entities are in memory")
CHUNKS_KNOWN = Gauge("ouro_engine_chunks", "Chunks with rooms in the whole world")
ROOMS_LOADED = Gauge("ouro_engine_rooms_in_memory", "Rooms in memory (the rest are in Redis)")
CHUNK_LOADS = Counter("ouro_engine_chunk_loads_total", "Chunks read into memory (prefetch and misses)")
CHUNK_UNLOADS = Counter("ouro_engine_chunk_unloads_total", "Chunks forgotten after chunk_idle_s unwanted")
CHUNK_MISSES = Counter("ouro_engine_chunk_misses_total", "Chunks read blocking because the game needed them now")
