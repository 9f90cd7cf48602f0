"""Quests: accept, progress through nodes, complete, fail, abandon — and Questmaker influence.

A player's progress is a `QuestProgress` in its `Player` component (persisted with the player).
Hooks (`on_enter`, `on_kill`, `on_talk`, `on_items_changed`, `on_deliver`, `on_item_lost`) are
called by commands and combat; a node that completes grants its `influence_action` points to the
quest's Questmaker (capped at its budget_max) and moves to the node's first `next` (none = done).
"""

from __future__ import annotations

from ouro_engine import components as k
from ouro_engine.game import Game
from ouro_engine.progression import add_credits, gain_xp
from ouro_engine.spawning import spawn_item
from ouro_schemas import content as c
from ouro_schemas.messages import EventKind


def _npc_here(game: Game, pid: str, template_id: str) -> str | None:
    room = game.room_of(pid)
    for eid in game.world.in_room(room.id) if room else ():
        ident = game.world.get(eid, k.Identity)
        if ident and ident.kind == "npc" and ident.template_id == template_id:
            return eid
    return None


def _emit(game: Game, kind: EventKind, pid: str, quest: c.QuestBlueprint, **data: object) -> None:
    room = game.room_of(pid)
    game.quest_activity[quest.district_id] = game.now
    game.emit(kind, player_id=pid, quest_id=quest.id, room_id=room.id if room else None,
              district_id=quest.district_id, data={"questmaker_id": quest.questmaker_id, **data})


def accept(game: Game, pid: str, quest_id: str) -> str:
    quest = game.templates.quest(quest_id)
    player = game.world.comp(pid, k.Player)
    if quest is None:
        return f"There is no quest called {quest_id!r}. Try 'quests'."
    if quest_id in player.quests:
        return f"You are already on '{quest.name}'."
    if quest_id in player.completed:
        return f"You have already completed '{quest.name}'."
    if _npc_here(game, pid, quest.giver_npc_id) is None:
        giver = game.templates.npc(quest.giver_npc_id)
        return f"Only {giver.name if giver else quest.giver_npc_id} can give you that quest, and they are not here."
    now = game.now
    player.quests[quest_id] = k.QuestProgress(quest_id=quest_id, node_id=quest.start_node, started_at=now,
                                              last_action_at=now)
    game.world.dirty.add(pid)
    _emit(game, EventKind.QUEST_ACCEPTED, pid, quest)
    node = _node(quest, quest.start_node)
    game.tell(pid, f"Quest accepted: {quest.name}. {node.text}".rstrip())
    on_items_changed(game, pid)
    room = game.room_of(pid)
    if room is not None:
        on_enter(game, pid, room.id)
    return ""


def abandon(game: Game, pid: str, quest_id: str) -> str:
    player = game.world.comp(pid, k.Player)
    quest = game.templates.quest(quest_id)
    if quest_id not in player.quests or quest is None:
        return f"You are not on a quest called {quest_id!r}."
    del player.quests[quest_id]
    game.world.dirty.add(pid)
    _emit(game, EventKind.QUEST_ABANDONED, pid, quest)
    return f"You abandon '{quest.name}'."


def fail(game: Game, pid: str, quest_id: str, reason: str) -> None:
    player = game.world.comp(pid, k.Player)
    quest = game.templates.quest(quest_id)
    if player.quests.pop(quest_id, None) is None or quest is None:
        return
    game.world.dirty.add(pid)
    _emit(game, EventKind.QUEST_FAILED, pid, quest, reason=reason)
    game.tell(pid, f"Quest failed: {quest.name} ({reason}).")


def _node(quest: c.QuestBlueprint, node_id: str) -> c.QuestNode:
    return next(n for n in quest.nodes if n.id == node_id)


def grant_influence(game: Game, questmaker_id: str, action: str | None, quest: c.QuestBlueprint) -> float:
    if action is None:
        return 0.0
    points = float(quest.influence_points_map.get(action, 0.0))
    qm = game.qms.get(questmaker_id)
    if qm is None or points <= 0:
        return 0.0
    qm.budget_current = min(qm.budget_max, qm.budget_current + points)
    qm.influence_total += points
    game.mark_qm(qm.id)
    return points


def _advance(game: Game, pid: str, progress: k.QuestProgress, quest: c.QuestBlueprint) -> None:
    node = _node(quest, progress.node_id)
    points = grant_influence(game, quest.questmaker_id, node.influence_action, quest)
    progress.last_action_at = game.now
    progress.idle_reported = False
    game.world.dirty.add(pid)
    if not node.next:
        _complete(game, pid, quest, node, points)
        return
    progress.node_id = node.next[0]
    nxt = _node(quest, progress.node_id)
    _emit(game, EventKind.QUEST_PROGRESSED, pid, quest, node=node.id, next=nxt.id, influence=points)
    game.tell(pid, f"Quest updated: {quest.name}. {nxt.text}".rstrip())
    # The next node may already be satisfied (standing in the room, holding the item).
    on_items_changed(game, pid)
    room = game.room_of(pid)
    if room is not None and nxt.kind == "go_to" and nxt.target == room.id:
        _advance(game, pid, progress, quest)


def _complete(game: Game, pid: str, quest: c.QuestBlueprint, node: c.QuestNode, points: float) -> None:
    player = game.world.comp(pid, k.Player)
    player.quests.pop(quest.id, None)
    player.completed.append(quest.id)
    rewards = quest.rewards
    add_credits(game, pid, rewards.credits)
    gain_xp(game, pid, rewards.xp)
    for item_id in rewards.item_ids:
        tpl = game.templates.item(item_id)
        if tpl is not None:
            spawn_item(game, tpl, game.world.new_id("reward"), holder_id=pid, owner_id=pid)
    _emit(game, EventKind.QUEST_COMPLETED, pid, quest, node=node.id, influence=points,
          rewards=rewards.model_dump(mode="json"))
    game.tell(pid, f"Quest complete: {quest.name}! +{rewards.credits} credits, +{rewards.xp} xp.")


def _active(game: Game, pid: str) -> list[tuple[k.QuestProgress, c.QuestBlueprint, c.QuestNode]]:
    player = game.world.get(pid, k.Player)
    out = []
    for progress in list(player.quests.values()) if player else []:
        quest = game.templates.quest(progress.quest_id)
        if quest is not None:
            out.append((progress, quest, _node(quest, progress.node_id)))
    return out


def on_enter(game: Game, pid: str, room_id: str) -> None:
    for progress, quest, node in _active(game, pid):
        if node.kind == "go_to" and node.target == room_id:
            _advance(game, pid, progress, quest)


def _count_step(game: Game, pid: str, kind: str, target: str) -> None:
    for progress, quest, node in _active(game, pid):
        if node.kind == kind and node.target == target:
            progress.counts[node.id] = progress.counts.get(node.id, 0) + 1
            progress.last_action_at = game.now
            game.world.dirty.add(pid)
            if progress.counts[node.id] >= node.count:
                _advance(game, pid, progress, quest)


def on_kill(game: Game, pid: str, npc_template: str) -> None:
    _count_step(game, pid, "kill", npc_template)


def on_talk(game: Game, pid: str, npc_template: str) -> None:
    _count_step(game, pid, "talk", npc_template)


def held_count(game: Game, pid: str, item_template: str) -> int:
    inv = game.world.get(pid, k.Inventory)
    n = 0
    for item_id in inv.items if inv else []:
        ident = game.world.get(item_id, k.Identity)
        n += bool(ident and ident.template_id == item_template)
    return n


def on_items_changed(game: Game, pid: str) -> None:
    for progress, quest, node in _active(game, pid):
        if node.kind == "fetch" and held_count(game, pid, node.target) >= node.count:
            _advance(game, pid, progress, quest)


def delivery_wanted(game: Game, pid: str, item_template: str, npc_template: str) -> bool:
    return any(n.kind == "deliver" and n.target == item_template and n.to == npc_template
               for _, _, n in _active(game, pid))


def on_deliver(game: Game, pid: str, item_template: str, npc_template: str) -> None:
    if delivery_wanted(game, pid, item_template, npc_template):
        _count_step(game, pid, "deliver", item_template)


def on_item_lost(game: Game, pid: str, item_template: str) -> None:
    """A critical item left the player (dropped, sold, given away, despawned): its quests fail."""
    for _progress, quest, _node in _active(game, pid):
        if item_template in quest.critical_item_ids and held_count(game, pid, item_template) == 0:
            fail(game, pid, quest.id, f"critical item {item_template} lost")


class QuestSystem:
    """Once a second: time limits and idle-on-quest reports."""

    name = "quests"

    def __init__(self, game: Game) -> None:
        self.game = game
        self.next_at = 0.0

    def process(self, now: float) -> None:
        if now < self.next_at:
            return
        self.next_at = now + 1.0
        game = self.game
        for pid, (player, _online) in list(game.world.query(k.Player, k.Online)):
            for progress in list(player.quests.values()):
                self._check(pid, progress, now)

    def _check(self, pid: str, progress: k.QuestProgress, now: float) -> None:
        game = self.game
        quest = game.templates.quest(progress.quest_id)
        if quest is None:
            return
        if quest.time_limit_s is not None and now - progress.started_at > quest.time_limit_s:
            fail(game, pid, quest.id, "time limit")
            return
        qm = game.templates.questmaker(quest.questmaker_id)
        threshold = qm.idle_threshold_s if qm else game.settings.quest_idle_s
        if not progress.idle_reported and now - progress.last_action_at > threshold:
            progress.idle_reported = True
            game.world.dirty.add(pid)
            _emit(game, EventKind.PLAYER_IDLE_ON_QUEST, pid, quest, idle_s=round(now - progress.last_action_at, 1),
                  node=progress.node_id)
