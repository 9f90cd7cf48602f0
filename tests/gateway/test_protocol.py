"""Pure pieces: the protocol decoder at the edge, the telnet parser, ANSI -> spans, the gateway's own
WebSocket frames (checked with the `websockets` library's parser), limits."""

from __future__ import annotations

import random

import msgspec
import pytest
from websockets.frames import Frame, Opcode
from websockets.streams import StreamReader

from ouro_engine.gateway import frames
from ouro_engine.gateway.limits import PerIp, TokenBucket, clean_line
from ouro_engine.gateway.style import ansi_to_spans, colorize, spans_json, strip_ansi, text_spans, wrap
from ouro_engine.gateway.telnetproto import GMCP, IAC, NAWS, SB, SE, WILL, Cmd, Data, Sub, TelnetParser
from ouro_schemas import protocol as p


def test_client_messages_decode_and_errors_have_codes() -> None:
    assert p.decode_client(b'{"type":"command","line":"look","id":3}', 100) == p.Command(line="look", id=3)
    auth = p.decode_client('{"type":"auth","action":"resume","token":"abc"}', 100)
    assert isinstance(auth, p.Auth) and auth.token == "abc"
    cases = {b"{": p.ErrorCode.BAD_JSON, b'{"type":"x"}': p.ErrorCode.BAD_MESSAGE,
             b'{"type":"auth","action":"hack"}': p.ErrorCode.BAD_MESSAGE, b"[" * 10: p.ErrorCode.TOO_DEEP,
             b'{"type":"command","line":"' + b"x" * 3000 + b'"}': p.ErrorCode.BAD_MESSAGE,
             b"x" * 200: p.ErrorCode.TOO_LARGE, b"\xff": p.ErrorCode.BAD_JSON}
    for raw, code in cases.items():
        with pytest.raises(p.ProtocolError) as info:
            p.decode_client(raw, 4096 if code != p.ErrorCode.TOO_LARGE else 100)
        assert info.value.code == code, raw[:20]


def test_depth_check_ignores_brackets_in_strings() -> None:
    line = "[[[[[[[[[[ ]]]]]]]] \\\" {{{{{{"
    assert p.decode_client(msgspec.json.encode({"type": "command", "line": line}), 4096) == p.Command(line=line)


def test_server_messages_encode_with_their_tag() -> None:
    raw = p.encode(p.Text(spans=[p.Span(text="hi", fg="red")], id=1))
    assert msgspec.json.decode(raw) == {"type": "text", "spans": [{"text": "hi", "fg": "red"}], "id": 1}
    assert set(p.server_schema()["$defs"]) >= {"Text", "RoomInfo", "Status", "Error", "AuthOk", "Hello"}


def test_telnet_parser_events_across_chunk_boundaries() -> None:
    stream = (b"hi" + bytes((IAC, WILL, NAWS)) + bytes((IAC, SB, NAWS, 0, 80, 0, 24, IAC, SE))
              + b"a" + bytes((IAC, IAC)) + b"b" + bytes((IAC, SB, GMCP)) + b"Core.Hello {}" + bytes((IAC, SE)))
    for cut in range(len(stream)):
        parser = TelnetParser()
        events = parser.feed(stream[:cut]) + parser.feed(stream[cut:])
        data = b"".join(e.data for e in events if isinstance(e, Data))
        assert data == b"hia\xffb"
        assert Cmd(WILL, NAWS) in events and Sub(NAWS, bytes((0, 80, 0, 24))) in events
        assert Sub(GMCP, b"Core.Hello {}") in events


def test_telnet_parser_survives_garbage_and_bounds_subnegotiation() -> None:
    rng = random.Random(1)
    parser = TelnetParser(max_sb=100)
    for _ in range(200):
        parser.feed(rng.randbytes(rng.randint(0, 500)))
    parser = TelnetParser(max_sb=100)
    events = parser.feed(bytes((IAC, SB, GMCP)) + b"x" * 10_000 + bytes((IAC, SE)) + b"ok")
    assert events == [Data(b"ok")] and len(parser.sb) == 0


def test_ansi_to_spans_and_colour_rules() -> None:
    spans = ansi_to_spans(colorize("Spawn [Downtown]\nThe spawn.\nExits: n e"))
    assert spans[0] == p.Span(text="Spawn [Downtown]", fg="cyan", bold=True)
    assert p.Span(text="Exits: n e", fg="green") in spans
    assert strip_ansi("\x1b[1;31mred\x1b[0m") == "red"
    assert wrap("a " * 50, 20).count("\n") >= 4


def test_limits() -> None:
    assert clean_line("say \x1b[31mhi\x07\x00 there\u200b", 100) == "say hi there"
    bucket = TokenBucket(rate=0.001, burst=2)
    assert [bucket.take() for _ in range(3)] == [True, True, False]
    per_ip = PerIp(0.001, 1, max_ips=2)
    assert per_ip.allow("a") and not per_ip.allow("a") and per_ip.allow("b") and per_ip.allow("c")
    assert len(per_ip.buckets) <= 2


LINES = ["Spawn [Downtown]", "Exits: n e", "Here: Ann, Bob", "On the ground: a knife", 'Ann says, "hi"',
         'Bob tells you, "psst"', "You hit the rat.", "The rat misses you.", "Unknown command 'x'.",
         "You can't go that way.", "Slow down.", "Wrong name.", "A plain line.", "", "  indented",
         "Neon [rain] falls", "Exits:", "café — crème", "[] brackets [x]", "Ann arrives from the north."]


def test_text_spans_are_the_ansi_round_trip_without_escapes() -> None:
    rng = random.Random(4)
    for _ in range(3000):
        text = "\n".join(rng.choice(LINES) for _ in range(rng.randint(1, 8)))
        assert text_spans(text) == ansi_to_spans(colorize(text)), text
    with_escape = "\x1b[31mred\x1b[0m\nExits: n"
    assert text_spans(with_escape) == ansi_to_spans(colorize(with_escape))
    assert msgspec.json.decode(spans_json("Exits: n")) == [{"text": "Exits: n", "fg": "green"}]


def parse_frame(data: bytes) -> Frame:
    reader = StreamReader()
    reader.feed_data(data)
    reader.feed_eof()
    gen = Frame.parse(reader.read_exact, mask=False)
    try:
        next(gen)
    except StopIteration as done:
        assert not reader.buffer  # nothing left over
        return done.value  # type: ignore[no-any-return]
    raise AssertionError("incomplete frame")


@pytest.mark.parametrize("size", [0, 1, 125, 126, 65535, 65536, 200_000])
def test_frames_parse_as_final_unmasked_text(size: int) -> None:
    payload = b"x" * size
    got = parse_frame(frames.frame(payload))
    assert got.opcode is Opcode.TEXT and got.fin and got.data == payload


def test_text_frames_carry_what_msgspec_would_encode() -> None:
    text = "Spawn [Downtown]\nA plain line.\nExits: n e"
    reply = parse_frame(frames.reply(text, 42)).data
    assert reply == p.encode(p.Text(spans=ansi_to_spans(colorize(text)), id=42))
    told = parse_frame(frames.text(text)).data
    assert told == p.encode(p.Text(spans=ansi_to_spans(colorize(text))))
    assert parse_frame(frames.message(p.Pong(id=3))).data == b'{"type":"pong","id":3}'
