"""Gate step 2 — balance against the guardrails (pure). Every check is a Verdict (rule, value, limit).

- power: `budget.item_power_points` against the rarity's point range stretched by level, plus slot caps;
- threat: `budget.npc_threat_points` against the district's threat level (bosses get a multiplier);
- quests: `budget.quest_reward_value` (items at their value) against the difficulty's limit;
- economy: credit drop, quest credits, item value caps; sources vs sinks over the window; inflation;
- rarity window: at most N of a rarity among the last `window` item generations;
- throttles: proposals passed per type this minute.
"""

from __future__ import annotations

from ouro_publisher.inventory import Inventory
from ouro_publisher.types import Usage, WindowState, WorldView, check, fail, ok
from ouro_schemas import budget
from ouro_schemas.content import ItemArchetype, NpcArchetype
from ouro_schemas.guardrails import Guardrails, Verdict
from ouro_schemas.proposal import ProposalType

# (stat, rule, path suffix) of the slot caps, in the order they are checked.
_SLOT_CAPS = tuple((name, f"power.slot_cap.{name}", f".stats.{name}")
                   for name in ("damage_max", "armor", "heal", "crit_chance"))


def item_verdicts(item: ItemArchetype, path: str, g: Guardrails) -> list[Verdict]:
    # A reason is written only for a check that fails (most pass; the texts cost more than the checks).
    out: list[Verdict] = []
    points = budget.item_power_points(item)
    rng = g.power.rarity_points[item.rarity]
    mult = budget.level_multiplier(item.level)
    lo, hi = rng.min * mult, rng.max * mult
    if item.kind not in budget.STATLESS_KINDS:
        out.append(check("power.item_points", points, hi, "" if points <= hi else
                         f"{item.rarity} level {item.level} {item.slot} item over its power budget", path))
        if g.power.enforce_floor and points < lo:
            out.append(fail("power.item_floor", f"under the {item.rarity} minimum", round(points, 3),
                            round(lo, 3), path))
    elif points > 0:
        out.append(fail("power.statless", f"a {item.kind} item carries no stats", round(points, 3), 0, path))
    out.append(check("power.item_level", item.level, g.power.max_item_level, "item level too high",
                     path + ".level"))
    caps = g.power.slot_caps.get(item.slot)
    if caps is not None:
        stats = item.stats
        for name, rule, at in _SLOT_CAPS:
            cap = getattr(caps, name)
            if cap is not None:
                value = getattr(stats, name)
                out.append(check(rule, value, cap, "" if value <= cap else f"{item.slot} {name} over the cap",
                                 path + at))
    value_cap = g.economy.max_item_value.get(item.rarity)
    if value_cap is not None:
        out.append(check("economy.item_value", item.value, value_cap, "" if item.value <= value_cap else
                         f"{item.rarity} item worth too much", path + ".value"))
    return out


def _district_level(world: WorldView, district: str | None) -> int | None:
    entry = world.districts.get(district or "")
    level = entry.get("threat_level") if entry else None
    return int(level) if isinstance(level, (int, float)) else None  # a tuple, not a union: faster


def npc_verdicts(npc: NpcArchetype, path: str, district: str | None, world: WorldView,
                 g: Guardrails, founded: dict[str, int] | None = None) -> list[Verdict]:
    out: list[Verdict] = []
    level = (founded.get(district or "") if founded else None) or _district_level(world, district)
    points = budget.npc_threat_points(npc)
    cap = g.threat.max_points_by_level[level or 10] * (g.threat.boss_multiplier if npc.boss else 1.0)
    out.append(check("threat.npc_points", points, cap, "" if points <= cap else
                     f"NPC too dangerous for {_where(district, level)}", path + ".stats"))
    if level is not None:
        limit = level + g.threat.level_margin
        out.append(check("threat.npc_level", npc.threat_level, limit, "" if npc.threat_level <= limit else
                         f"NPC threat level above {_where(district, level)}", path + ".threat_level"))
    out.append(check("economy.credit_drop", npc.credits_max, g.economy.max_credit_drop,
                     "NPC drops too many credits", path + ".credits_max"))
    return out


def _where(district: str | None, level: int | None) -> str:
    return f"district {district!r} threat {level}" if level else "no district: the level-10 cap applies"


def npc_district(inv: Inventory, room: str | None, world: WorldView) -> str | None:
    if room:
        new = next((r for r, _ in inv.rooms if r.id == room), None) if inv.rooms else None
        if new is not None:
            return new.district_id
        existing = world.rooms.get(room)
        if existing and isinstance(existing.get("district_id"), str):
            return str(existing["district_id"])
    return inv.district_hint


def _item_values(inv: Inventory, world: WorldView) -> dict[str, float]:
    values: dict[str, float] = {}
    for item, _ in inv.items:
        values[item.id] = float(item.value)
    for tid, entry in world.templates.items():
        body = entry.get("template")
        if entry.get("type") == "item" and isinstance(body, dict) and tid not in values:
            values[tid] = float(body.get("value", 0) or 0)
    return values


def run_balance(ptype: ProposalType, inv: Inventory, world: WorldView, g: Guardrails,
                window: WindowState) -> tuple[list[Verdict], Usage]:
    out: list[Verdict] = []
    usage = Usage()
    for item, path in inv.items:
        out.extend(item_verdicts(item, path, g))
        usage.rarities.append(item.rarity)
        if inv.shop_stock and inv.shop_stock[1] == item.id:
            usage.sinks += float(item.value)  # stock on sale takes credits out of the world
    spawned = {tid: qty for tid, _, qty, _ in inv.spawns} if inv.npcs else {}
    for npc, path, room in inv.npcs:
        out.extend(npc_verdicts(npc, path, npc_district(inv, room, world), world, g, inv.district_levels))
        usage.sources += npc.credits_max * max(1, spawned.get(npc.id, 1))
    values = _item_values(inv, world) if inv.quests and g.quests.item_values_count else {}
    for quest, path in inv.quests:
        value = budget.quest_reward_value(quest.rewards, values)
        limit = g.quests.max_value_by_difficulty[quest.difficulty]
        out.append(check("quest.reward_value", value, limit, f"reward too rich for difficulty {quest.difficulty}",
                         f"{path}.rewards"))
        out.append(check("economy.quest_credits", quest.rewards.credits, g.economy.max_quest_credits,
                         "quest pays too many credits", f"{path}.rewards.credits"))
        usage.sources += quest.rewards.credits
    out.extend(window_verdicts(ptype, usage, world, g, window))
    return out, usage


def window_verdicts(ptype: ProposalType, usage: Usage, world: WorldView, g: Guardrails,
                    window: WindowState) -> list[Verdict]:
    """The checks with memory: rarity window, sources vs sinks, inflation, throttle."""
    out: list[Verdict] = []
    rw = g.rarity_window
    mine: dict[str, int] = {}
    for rarity in usage.rarities:
        mine[rarity] = mine.get(rarity, 0) + 1
    for rarity, n in sorted(mine.items()) if mine else ():
        cap = rw.max_per_window.get(rarity)
        if cap is None:
            continue
        # The window is the last `window` generations *including* these.
        seen = window.rarity_count(rarity, max(0, rw.window - n))
        out.append(check("rarity.window", seen + n, cap,
                         f"too many {rarity} items in the last {rw.window} generations", "payload"))
    if usage.sources > 0:
        eco = g.economy
        allowed = max(eco.free_sources, eco.max_source_sink_ratio * (window.sinks + usage.sinks))
        total = window.sources + usage.sources
        out.append(check("economy.sources_vs_sinks", total, allowed, "" if total <= allowed else
                         f"credit sources over {eco.window_s:.0f}s exceed the sink budget", "payload"))
        inflation = world.economy.get("inflation")
        if isinstance(inflation, (int, float)):  # a tuple: twice as fast as a union
            out.append(check("economy.inflation", float(inflation), eco.max_inflation,
                             "inflation too high for new credit sources", "payload"))
    limit = g.throttles.per_minute.get(ptype, g.throttles.default_per_minute)
    used = window.throttle.get(str(ptype), 0)
    if used + 1 > limit:
        out.append(fail("throttle.per_minute", f"{ptype} proposals per minute exhausted", used + 1, limit))
    else:
        out.append(ok("throttle.per_minute", used + 1, limit))
    return out
