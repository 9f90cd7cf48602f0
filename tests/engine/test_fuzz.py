"""Nothing a player types escapes the command loop: random lines, random verbs with random arguments."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ouro_engine.core import Core
from tests.engine.conftest import Player

VERBS = sorted({"look", "l", "examine", "go", "n", "s", "e", "w", "u", "say", "tell", "emote", "who", "i",
                "get", "drop", "give", "equip", "remove", "attack", "kill", "flee", "consider", "score", "quests",
                "quest", "talk", "list", "buy", "sell", "map", "help", "'", ":"})
WORDS = st.sampled_from(["rat", "fixer", "pipe", "datachip", "2.rat", "0.rat", "accept", "abandon", "q-rats",
                         "to", "", " ", "..", "ann", "bo", "x" * 300, "é", "\x00", "\x1b[1m", "-1", "999999999"])
LINES = st.one_of(
    st.text(max_size=200),
    st.tuples(st.sampled_from(VERBS), st.lists(WORDS, max_size=4)).map(lambda t: " ".join([t[0], *t[1]])),
)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(lines=st.lists(LINES, min_size=1, max_size=12))
def test_random_lines_never_raise(core: Core, ann: Player, lines: list[str]) -> None:
    for line in lines:
        out = core.execute(ann.pid, line)
        assert isinstance(out, list)
    assert core.command_errors == 0, "a command raised (see the log)"
