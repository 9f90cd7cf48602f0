"""The gate's fast paths against their plain forms, on random inputs (hypothesis)."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from ouro_publisher.gate import _strings, _strings_plain


class Text(str):
    pass


class Table(dict[str, Any]):
    pass


class Items(list[Any]):
    pass


_leaves = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=5),
                    st.builds(Text, st.text(max_size=5)), st.tuples(st.text(max_size=3)), st.binary(max_size=3))
_json = st.recursive(
    _leaves,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=3), inner, max_size=4),
                            st.builds(Items, st.lists(inner, max_size=3)),
                            st.builds(Table, st.dictionaries(st.text(max_size=3), inner, max_size=3))),
    max_leaves=40,
)


@settings(max_examples=500, deadline=None)
@given(_json)
def test_string_walk_equals_the_plain_walk(value: Any) -> None:
    fast: list[str] = []
    plain: list[str] = []
    _strings(value, fast)
    _strings_plain(value, plain)
    assert fast == plain
    assert [type(s) for s in fast] == [type(s) for s in plain]


def test_string_walk_of_deep_nesting() -> None:
    """Deeper than the fast walk recurses: the plain walk takes over, same order, no recursion error."""
    deep: Any = "bottom"
    for i in range(5000):
        deep = {"a": f"s{i}", "b": deep} if i % 2 else [deep, f"t{i}"]
    fast: list[str] = []
    plain: list[str] = []
    _strings(deep, fast)
    _strings_plain(deep, plain)
    assert fast == plain and len(fast) == 5001
