"""Telnet wire format: an incremental IAC/SB parser and the option bytes we speak (RFC 854/855).

`TelnetParser.feed(bytes)` yields events: `Data(bytes)`, `Cmd(cmd, opt)` for WILL/WONT/DO/DONT (opt)
or a bare command (opt -1), and `Sub(opt, payload)` for a complete `IAC SB opt ... IAC SE` with
`IAC IAC` unescaped. A subnegotiation longer than `max_sb` is dropped whole (never buffered).
"""

from __future__ import annotations

from typing import NamedTuple

IAC, DONT, DO, WONT, WILL, SB, GA, NOP, SE = 255, 254, 253, 252, 251, 250, 249, 241, 240
ECHO, SGA, TTYPE, EOR, NAWS, MSSP, MCCP2, GMCP = 1, 3, 24, 25, 31, 70, 86, 201
TTYPE_IS, TTYPE_SEND = 0, 1
MSSP_VAR, MSSP_VAL = 1, 2


class Data(NamedTuple):
    data: bytes


class Cmd(NamedTuple):
    cmd: int
    opt: int


class Sub(NamedTuple):
    opt: int
    payload: bytes


Event = Data | Cmd | Sub
_DATA, _IAC, _OPT, _SB_OPT, _SB, _SB_IAC = range(6)


def iac(cmd: int, opt: int) -> bytes:
    return bytes((IAC, cmd, opt))


def sub(opt: int, payload: bytes) -> bytes:
    return bytes((IAC, SB, opt)) + payload.replace(b"\xff", b"\xff\xff") + bytes((IAC, SE))


class TelnetParser:
    def __init__(self, max_sb: int = 8192) -> None:
        self.max_sb = max_sb
        self.state = _DATA
        self.cmd = 0
        self.sb_opt = 0
        self.sb = bytearray()
        self.sb_overflow = False

    def feed(self, chunk: bytes) -> list[Event]:
        events: list[Event] = []
        i, n = 0, len(chunk)
        while i < n:
            if self.state == _DATA:
                j = chunk.find(b"\xff", i)
                if j < 0:
                    events.append(Data(chunk[i:]))
                    break
                if j > i:
                    events.append(Data(chunk[i:j]))
                self.state, i = _IAC, j + 1
                continue
            i = self._step(chunk[i], events) + i
        return events

    def _step(self, b: int, events: list[Event]) -> int:
        """One byte outside plain data; returns 1 (bytes consumed)."""
        st = self.state
        if st == _IAC:
            self._after_iac(b, events)
        elif st == _OPT:
            events.append(Cmd(self.cmd, b))
            self.state = _DATA
        elif st == _SB_OPT:
            self.sb_opt, self.sb, self.sb_overflow, self.state = b, bytearray(), False, _SB
        elif st == _SB:
            if b == IAC:
                self.state = _SB_IAC
            elif len(self.sb) < self.max_sb:
                self.sb.append(b)
            else:
                self.sb_overflow = True
        else:
            self._sb_iac(b, events)
        return 1

    def _after_iac(self, b: int, events: list[Event]) -> None:
        if b == IAC:
            events.append(Data(b"\xff"))
            self.state = _DATA
        elif b in (WILL, WONT, DO, DONT):
            self.cmd, self.state = b, _OPT
        elif b == SB:
            self.state = _SB_OPT
        else:  # NOP, GA, AYT, a stray SE ...: a bare command
            events.append(Cmd(b, -1))
            self.state = _DATA

    def _sb_iac(self, b: int, events: list[Event]) -> None:
        if b == SE:
            if not self.sb_overflow:
                events.append(Sub(self.sb_opt, bytes(self.sb)))
            self.sb, self.state = bytearray(), _DATA
        elif b == IAC:
            if len(self.sb) < self.max_sb:
                self.sb.append(IAC)
            self.state = _SB
        else:  # IAC <cmd> inside SB is a protocol error: end the subnegotiation, drop it
            self.sb, self.state = bytearray(), _DATA
