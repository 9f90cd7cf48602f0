"""Adversarial proposals: each one an attack and the rule(s) whose verdict must reject it."""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

from ouro_schemas.proposal import Proposal, ProposalType
from tests.publisher import factories as f

ZERO_WIDTH = ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad"]
HOMOGLYPHS = {"a": "а", "e": "е", "o": "о", "i": "і", "c": "с", "p": "р", "k": "κ", "t": "τ"}
LEET = {"a": "4", "e": "3", "i": "1", "o": "0", "s": "$", "t": "7"}


def disguise(word: str, rnd: random.Random) -> str:
    """A banned word hidden with a random mix of Unicode tricks."""
    out = []
    for ch in word:
        trick = rnd.randrange(7)
        if trick == 0 and ch in HOMOGLYPHS:
            ch = HOMOGLYPHS[ch]
        elif trick == 1 and ch in LEET:
            ch = LEET[ch]
        elif trick == 2:
            ch = ch.upper()
        elif trick == 3:
            ch = ch + "\u0301"  # combining acute
        elif trick == 4:
            ch = chr(ord(ch) - ord("a") + 0xFF41) if ch.isalpha() and ch.isascii() else ch  # fullwidth
        out.append(ch)
        sep = rnd.randrange(4)
        if sep == 0:
            out.append(rnd.choice(ZERO_WIDTH))
        elif sep == 1:
            out.append(rnd.choice([".", "-", "_", " ", "*"]))
    return "".join(out)


Attack = Callable[[str, random.Random], tuple[Proposal, tuple[str, ...]]]


def _item(pid: str, **kw: Any) -> Proposal:
    return f.item_proposal(pid, **kw)


def _bad_number(pid: str, rnd: random.Random) -> tuple[Proposal, tuple[str, ...]]:
    value = rnd.choice([10**30, -(10**30), -1, float("nan"), float("inf"), float("-inf"), 1e308, -0.5])
    field = rnd.choice(["damage_max", "crit_chance", "accuracy", "armor", "heal"])
    if field == "accuracy" and -1 <= value <= 1:  # a to-hit penalty down to -1 is legal
        value = float("nan")
    stats = {"damage_min": 1, "damage_max": 5, field: value}
    if rnd.random() < 0.5:
        return _item(pid, stats=stats), ("schema.payload",)
    npc = f.npc_proposal(pid, credits_max=value) if rnd.random() < 0.5 else \
        f.npc_proposal(pid, stats={**f.npc_template()["stats"], "max_health": value})
    return npc, ("schema.payload",)


def _unknown_effect(pid: str, rnd: random.Random) -> tuple[Proposal, tuple[str, ...]]:
    eff = rnd.choice(["mind_control", "instakill", "god_mode", "BURN", "burn;drop table"])
    return _item(pid, effects=[{"id": eff, "magnitude": 5.0}]), ("schema.payload",)


def _banned_text(pid: str, rnd: random.Random) -> tuple[Proposal, tuple[str, ...]]:
    word = rnd.choice([*f.BANNED, "nazi", "suicide"])
    text = f"A vendor mutters {disguise(word, rnd)} under his breath."
    rule = ("filter.banned_word", "filter.banned_theme")
    where = rnd.randrange(3)
    if where == 0:
        return _item(pid, description=text), rule
    if where == 1:
        p = f.npc_proposal(pid)
        p.flavor = {"name": "Jax", "barks": ["hey choom", text]}
        return p, rule
    return f.qm_proposal("send_message", {"target_player_id": "alice", "message": text}, 10, pid), rule


def _path_id(pid: str, rnd: random.Random) -> tuple[Proposal, tuple[str, ...]]:
    evil = rnd.choice(["../../etc/passwd", "..", "/etc/shadow", "a/../../b", "C:\\windows", "x..y",
                       "%2e%2e%2fetc", "ok\x00.json"])
    if rnd.random() < 0.5:
        p = _item("p-ok", )
        p.id = evil + ("" if rnd.random() < 0.5 else pid)
        return p, ("schema.proposal_id",)
    return _item(pid, id=evil), ("schema.payload", "integrity.unsafe_id")


def _missing_ref(pid: str, rnd: random.Random) -> tuple[Proposal, tuple[str, ...]]:
    choice = rnd.randrange(3)
    if choice == 0:
        return f.npc_proposal(pid, spawn=f"nowhere-{pid}"), ("integrity.room",)
    if choice == 1:
        return f.npc_proposal(pid, loot=[{"item_id": "ghost_item", "chance": 0.5}]), ("integrity.template",)
    return f.qm_proposal("spawn_entity", {"entity_type": "street_thug", "location": "void"}, 30, pid), \
        ("qm.unknown_id",)


def _over_budget(pid: str, rnd: random.Random) -> tuple[Proposal, tuple[str, ...]]:
    if rnd.random() < 0.5:
        dmg = rnd.randrange(51, 400)
        return _item(pid, stats={"damage_min": dmg - 1, "damage_max": dmg}), \
            ("power.item_points", "power.slot_cap.damage_max")
    return f.npc_proposal(pid, credits_max=rnd.randrange(501, 1_000_000)), ("economy.credit_drop",)


def _qm_abuse(pid: str, rnd: random.Random) -> tuple[Proposal, tuple[str, ...]]:
    choice = rnd.randrange(3)
    if choice == 0:
        return f.qm_proposal(rnd.choice(["delete_world", "exec", "grant_admin"]), {}, 10, pid), ("qm.tool",)
    if choice == 1:
        return f.qm_proposal("send_message", {"target_player_id": "alice", "message": "hi"},
                             rnd.choice([0, 4, 16, 1000]), pid), ("qm.cost_range",)
    return f.qm_proposal("send_message", {"target_player_id": "mallory", "message": "hi"}, 10, pid), \
        ("qm.unknown_id",)


def _geometry(pid: str, rnd: random.Random) -> tuple[Proposal, tuple[str, ...]]:
    p = f.block_proposal(pid)
    if rnd.random() < 0.5:
        p.payload["block"]["rooms"][1]["y"] = 0  # collides with the other new room … or:
        p.payload["block"]["rooms"][1]["x"] = rnd.choice([0, 1, 2])
        return p, ("compat.coordinates",)
    p.payload["block"]["growth_point"] = {"room_id": "plaza", "direction": "n", "x": 2, "y": 0}
    return p, ("compat.exit_repointed", "compat.exit_geometry")


def _garbage(pid: str, rnd: random.Random) -> tuple[Proposal, tuple[str, ...]]:
    choice = rnd.randrange(3)
    if choice == 0:
        return _item(pid, description="x" * 100_000), ("schema.payload",)
    if choice == 1:
        deep: Any = {"archetype": "x"}
        for _ in range(60):
            deep = {"archetype": deep}
        return f.proposal(ProposalType.ITEM, deep, pid), ("schema.payload",)
    return f.proposal(ProposalType.NPC, {"archetype": None, "quantity": "many"}, pid), ("schema.payload",)


ATTACKS: list[Attack] = [_bad_number, _unknown_effect, _banned_text, _path_id, _missing_ref, _over_budget,
                         _qm_abuse, _geometry, _garbage]


def adversarial(n: int, seed: int = 8) -> list[tuple[Proposal, tuple[str, ...]]]:
    rnd = random.Random(seed)
    return [rnd.choice(ATTACKS)(f"adv-{i}", rnd) for i in range(n)]
