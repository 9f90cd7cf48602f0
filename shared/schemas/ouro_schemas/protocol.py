"""The player WebSocket protocol (version 1): JSON messages, one per frame, tagged by `type`.

Client -> server (`ClientMessage`): `auth` (register / login / resume with a resume token), `command`
(one game line), `ping`. Server -> client (`ServerMessage`): `hello` (protocol version, limits), `auth_ok`
(character, resume token), `text` (output split into style spans), `room` (structured room info),
`status` (health, credits, quest), `error` (a stable code and a message for a person), `pong`, `bye`.

Every frame is decoded with `decode_client` at the edge: anything that is not one of these messages
(malformed JSON, an unknown `type`, a missing field, a too-long string) becomes a `ProtocolError` with a
code from `ErrorCode`, never an exception that reaches the game.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any, Final, Literal

import msgspec

VERSION: Final = 1
RESUME_KEY: Final = "ouro:gw:resume:"  # + token -> {"pid", "name"} ({"revoked": ...} after logout); a TTL
RESUME_OF_KEY: Final = "ouro:gw:resume-of:"  # + player id -> set of that character's tokens (revoked at logout)
MAX_NAME: Final = 32
MAX_PASSWORD: Final = 128
MAX_LINE: Final = 2048  # a command line longer than this is not a valid message at all
MAX_TOKEN: Final = 64

Name = Annotated[str, msgspec.Meta(min_length=1, max_length=MAX_NAME)]
Password = Annotated[str, msgspec.Meta(max_length=MAX_PASSWORD)]
Token = Annotated[str, msgspec.Meta(max_length=MAX_TOKEN)]
Line = Annotated[str, msgspec.Meta(max_length=MAX_LINE)]


class ErrorCode(StrEnum):
    BAD_JSON = "bad_json"  # not JSON / not UTF-8
    BAD_MESSAGE = "bad_message"  # JSON, but not a valid client message (unknown type, bad field)
    TOO_LARGE = "too_large"  # frame over the size limit
    TOO_DEEP = "too_deep"  # JSON nested beyond the limit
    RATE_LIMITED = "rate_limited"  # commands faster than the per-connection limit
    NOT_AUTHENTICATED = "not_authenticated"  # a command before auth
    AUTH_FAILED = "auth_failed"  # wrong name/password, name taken, invalid name, expired token
    LOGGED_OUT = "logged_out"  # a resume token revoked by logging out (quit); also the `bye` of a quit
    ALREADY_AUTHENTICATED = "already_authenticated"
    IDLE = "idle"  # closed after the idle timeout
    TAKEN_OVER = "taken_over"  # another login took this character
    ABUSE = "abuse"  # too many errors: the connection is closed with close code 1008


# --- client -> server ---------------------------------------------------------------------------------
class Auth(msgspec.Struct, tag="auth", tag_field="type", forbid_unknown_fields=True, kw_only=True):
    action: Literal["register", "login", "resume"]
    name: Name | None = None
    password: Password | None = None
    token: Token | None = None  # for resume
    v: int = VERSION


class Command(msgspec.Struct, tag="command", tag_field="type", forbid_unknown_fields=True, kw_only=True):
    line: Line
    id: int | None = None  # echoed back on the replies to this command (round-trip measurement)


class Ping(msgspec.Struct, tag="ping", tag_field="type", forbid_unknown_fields=True, kw_only=True):
    id: int | None = None


ClientMessage = Auth | Command | Ping


# --- server -> client ---------------------------------------------------------------------------------
class Span(msgspec.Struct, kw_only=True, omit_defaults=True):
    text: str
    fg: str | None = None  # a colour name: black red green yellow blue magenta cyan white (+ bright-*)
    bold: bool = False


class Hello(msgspec.Struct, tag="hello", tag_field="type", kw_only=True):
    v: int = VERSION
    max_frame: int
    max_line: int
    commands_per_s: float
    text: str = ""


class AuthOk(msgspec.Struct, tag="auth_ok", tag_field="type", kw_only=True):
    name: str
    player_id: str
    token: str  # present it in `auth` with action "resume" to come back as the same character
    resumed: bool = False


class Text(msgspec.Struct, tag="text", tag_field="type", kw_only=True):
    spans: list[Span]
    id: int | None = None  # the command id this answers, if any


class RoomInfo(msgspec.Struct, tag="room", tag_field="type", kw_only=True):
    id: str
    num: int  # a stable number for mappers that want integers (crc32 of the id)
    name: str
    area: str  # the district's name
    district_id: str
    x: int
    y: int
    z: int
    exits: dict[str, str]  # direction -> room id


class Status(msgspec.Struct, tag="status", tag_field="type", kw_only=True):
    name: str
    hp: int
    max_hp: int
    credits: int
    level: int
    xp: int
    quest: str | None = None  # the name of the first active quest


class Error(msgspec.Struct, tag="error", tag_field="type", kw_only=True):
    code: ErrorCode
    message: str
    id: int | None = None


class Pong(msgspec.Struct, tag="pong", tag_field="type", kw_only=True):
    id: int | None = None


class Bye(msgspec.Struct, tag="bye", tag_field="type", kw_only=True):
    code: ErrorCode | None = None
    message: str = ""


ServerMessage = Hello | AuthOk | Text | RoomInfo | Status | Error | Pong | Bye


class ProtocolError(Exception):
    """A client frame that is not a valid `ClientMessage`; `code` says why."""

    def __init__(self, code: ErrorCode, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


_decoder = msgspec.json.Decoder(ClientMessage)
_encoder = msgspec.json.Encoder()


def _depth_ok(raw: bytes, limit: int) -> bool:
    """Cheap nesting check before parsing: no client message nests deeper than 2."""
    if raw.count(b"[") + raw.count(b"{") <= limit:  # the usual frame: too few brackets to nest deeper
        return True
    depth = 0
    in_str = esc = False
    for b in raw:
        if in_str:
            if esc:
                esc = False
            elif b == 0x5C:
                esc = True
            elif b == 0x22:
                in_str = False
        elif b == 0x22:
            in_str = True
        elif b in (0x5B, 0x7B):
            depth += 1
            if depth > limit:
                return False
        elif b in (0x5D, 0x7D):
            depth -= 1
    return True


def decode_client(raw: bytes | str, max_frame: int, max_depth: int = 4) -> ClientMessage:
    """Decode one client frame. Raises ProtocolError (never anything else)."""
    data = raw.encode("utf-8", "surrogatepass") if isinstance(raw, str) else raw
    if len(data) > max_frame:
        raise ProtocolError(ErrorCode.TOO_LARGE, f"frame of {len(data)} bytes; the limit is {max_frame}")
    if not _depth_ok(data, max_depth):
        raise ProtocolError(ErrorCode.TOO_DEEP, f"JSON nested deeper than {max_depth}")
    try:
        msg: ClientMessage = _decoder.decode(data)
    except msgspec.ValidationError as exc:
        raise ProtocolError(ErrorCode.BAD_MESSAGE, str(exc)[:200]) from None
    except msgspec.DecodeError as exc:
        raise ProtocolError(ErrorCode.BAD_JSON, str(exc)[:200]) from None
    return msg


def encode(msg: ServerMessage) -> bytes:
    return _encoder.encode(msg)


def server_schema() -> dict[str, Any]:
    return msgspec.json.schema(ServerMessage)


def client_schema() -> dict[str, Any]:
    return msgspec.json.schema(ClientMessage)
