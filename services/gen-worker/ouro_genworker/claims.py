"""Cells claimed by drafts in flight, so two spatial drafts never build on the same cell.

A BLOCK drafted at a road end and a BUILDING drafted off a street side can both be in flight (the
director holds one expansion at a time, not one spatial job); each was drafted against the world as it
was, so both may take the same free cell and the gate must reject the second (`compat.coordinates`).
Claims close that window where the cells become known — right after drafting:

1. before drafting a BLOCK / WORLD_EXPANSION / BUILDING, the cells other drafts in flight hold are
   added to the job's `occupied` (recorded in the proposal's params, so the draft still reproduces);
2. after drafting, its room cells are claimed in one script: all of them, or none when another
   proposal holds one (two replicas drafting at once) — then it is drafted again around those;
3. a claim lives `ttl_s` (the time a proposal needs to reach the world, with room to spare); once the
   rooms are in the world its cells are in the world's coordinates anyway. A redelivered job re-claims
   its own cells. A proposal the gate rejects (or that fails, or is undone) gives its cells back at once
   (`log.proposals`, `release`): the director may ask for the same road end again a moment later.

The hash (`names.GEN_CLAIMS`: "x,y,z" -> "proposal id|expires at, ms") is the gen-worker replicas' own,
written and expired only by the script, on Redis's clock (replicas' clocks may differ).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from redis.asyncio import Redis

from ouro_genworker.resolve import Cell, parse_cell
from ouro_schemas import names

# KEYS[1] the claims hash; ARGV[1] proposal id, ARGV[2] ttl ms, ARGV[3] "1" to claim (else only read),
# ARGV[4..] "x,y,z" cells. Drops expired claims, then returns the cells other proposals hold (when
# claiming: only those among ARGV's cells, and nothing is written unless that list is empty).
_SCRIPT = """
redis.replicate_commands()
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local pid = ARGV[1]
local held = {}
local all = redis.call('HGETALL', KEYS[1])
for i = 1, #all, 2 do
  local v = all[i + 1]
  local sep = string.find(v, '|', 1, true)
  local owner = sep and string.sub(v, 1, sep - 1) or ''
  local exp = sep and tonumber(string.sub(v, sep + 1)) or 0
  if exp <= now then
    redis.call('HDEL', KEYS[1], all[i])
  elseif owner ~= pid then
    held[all[i]] = true
  end
end
local out = {}
if ARGV[3] ~= '1' then
  for cell, _ in pairs(held) do table.insert(out, cell) end
  return out
end
for i = 4, #ARGV do
  if held[ARGV[i]] then table.insert(out, ARGV[i]) end
end
if #out > 0 then return out end
local value = pid .. '|' .. tostring(now + tonumber(ARGV[2]))
for i = 4, #ARGV do redis.call('HSET', KEYS[1], ARGV[i], value) end
return out
"""


# KEYS[1] the claims hash; ARGV[1] proposal id: every claim it holds is dropped. Returns how many.
_RELEASE = """
local n = 0
local all = redis.call('HGETALL', KEYS[1])
local prefix = ARGV[1] .. '|'
for i = 1, #all, 2 do
  if string.sub(all[i + 1], 1, #prefix) == prefix then
    redis.call('HDEL', KEYS[1], all[i])
    n = n + 1
  end
end
return n
"""


def room_cells(payload: Any) -> set[Cell]:
    """The cells of every new room in a spatial payload: each dict with integer x and y in a `rooms`
    list, at any depth (block.rooms, buildings[].rooms, building.rooms, blocks[].rooms)."""
    out: set[Cell] = set()
    todo = [payload]
    while todo:
        value = todo.pop()
        if isinstance(value, dict):
            for key, item in value.items():
                if key == "rooms" and isinstance(item, list):
                    for room in item:
                        cell = _cell(room)
                        if cell is not None:
                            out.add(cell)
                if isinstance(item, dict | list):
                    todo.append(item)
        elif isinstance(value, list):
            todo.extend(v for v in value if isinstance(v, dict | list))
    return out


def _cell(room: Any) -> Cell | None:
    if not isinstance(room, dict):
        return None
    x, y, z = room.get("x"), room.get("y"), room.get("z", 0)
    if all(type(v) is int for v in (x, y, z)):
        return (x, y, z)
    return None


def cell_text(cell: Cell) -> str:
    return f"{cell[0]},{cell[1]},{cell[2]}"


def parse_cells(raw: Iterable[Any]) -> set[Cell]:
    return {cell for cell in map(parse_cell, raw) if cell is not None}


class Claims:
    """The replicas' shared claims (Redis I/O at the edge; `room_cells` is the pure part)."""

    def __init__(self, redis: Redis, ttl_s: float) -> None:
        self.redis = redis
        self.ttl_ms = max(1, int(ttl_s * 1000))
        self._script = redis.register_script(_SCRIPT)
        self._release = redis.register_script(_RELEASE)

    async def held_by_others(self, proposal_id: str) -> set[Cell]:
        """Every cell a live claim of another proposal holds."""
        reply: Any = await self._script(keys=[names.GEN_CLAIMS], args=[proposal_id, self.ttl_ms, "0"])
        return parse_cells(reply or [])

    async def claim(self, proposal_id: str, cells: Iterable[Cell]) -> set[Cell]:
        """Claim every cell for `proposal_id`, or none: the cells other proposals hold (empty = claimed)."""
        texts = sorted(cell_text(c) for c in cells)
        if not texts:
            return set()
        reply: Any = await self._script(keys=[names.GEN_CLAIMS], args=[proposal_id, self.ttl_ms, "1", *texts])
        return parse_cells(reply or [])

    async def release(self, proposal_id: str) -> int:
        """Give back every cell `proposal_id` holds; how many it held."""
        return int(await self._release(keys=[names.GEN_CLAIMS], args=[proposal_id]))
