"""The authoritative world: ECS tick, commands, combat, quests, persistence, player gateways."""
