"""GMCP packages (telnet option 201) the gateway sends, and the MSSP variables it answers with.

Packages: `Char.Vitals` {hp, maxhp}, `Char.Status` {name, level, xp, credits, quest},
`Room.Info` {num, id, name, area, zone, environment?, coords "x,y,z", x, y, z, exits {dir: room id},
exit_nums {dir: num}} — `exits` by id as our world names rooms, `exit_nums` for mappers that key on
numbers (Mudlet's generic mapper script).
"""

from __future__ import annotations

import json
import time
from typing import Any

from .frontdoor import room_num
from .telnetproto import GMCP, MSSP, MSSP_VAL, MSSP_VAR, sub


def frame(package: str, data: Any) -> bytes:
    body = package if data is None else f"{package} {json.dumps(data, separators=(',', ':'))}"
    return sub(GMCP, body.encode("utf-8"))


def room_info(room: dict[str, Any]) -> bytes:
    exits = {str(d): str(r) for d, r in room["exits"].items()}
    doc = {"num": room["num"], "id": room["id"], "name": room["name"], "area": room["area"],
           "zone": room["district_id"], "coords": f"{room['x']},{room['y']},{room['z']}",
           "x": room["x"], "y": room["y"], "z": room["z"], "exits": exits,
           "exit_nums": {d: room_num(r) for d, r in exits.items()}}
    return frame("Room.Info", doc)


def vitals(status: dict[str, Any]) -> bytes:
    return frame("Char.Vitals", {"hp": status["hp"], "maxhp": status["max_hp"]})


def char_status(status: dict[str, Any]) -> bytes:
    return frame("Char.Status", {k: status[k] for k in ("name", "level", "xp", "credits", "quest")})


def mssp(players: int, started: float) -> bytes:
    variables = {"NAME": "Ourobouro", "PLAYERS": str(players), "UPTIME": str(int(started)),
                 "CODEBASE": "Ourobouro", "GENRE": "Science Fiction", "SUBGENRE": "Cyberpunk",
                 "GAMESYSTEM": "Custom", "STATUS": "Alpha", "ANSI": "1", "GMCP": "1", "UTF-8": "1",
                 "MCCP": "1", "CONTACT": "", "CRAWL DELAY": "-1", "HOSTNAME": "", "PORT": "",
                 "LANGUAGE": "English", "MINIMUM AGE": "0", "WEBSITE": "", "CREATED": "2026"}
    payload = b"".join(bytes((MSSP_VAR,)) + k.encode() + bytes((MSSP_VAL,)) + v.encode()
                       for k, v in variables.items())
    return sub(MSSP, payload)


STARTED = time.time()
