"""The JSON formats write with orjson where it writes what ``json.dumps(value,
ensure_ascii=False, separators=(",", ":"))`` writes, and with ``json`` everywhere else: the
report's bytes do not depend on which of the two wrote them."""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from skjult.checker import Checker
from skjult.model import Post
from skjult.report.json_format import dumps


def reference(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def outcome(write: Any, value: Any) -> tuple[str, Any]:
    """What writing ``value`` gives: its text, or the kind of error."""
    try:
        return "text", write(value)
    except Exception as exc:
        return "error", type(exc)


# Characters where the two writers could part: C0 controls (escaped, some with short forms),
# quote and backslash, DEL and C1 (written raw), U+2028/U+2029 (raw in both, unlike
# JavaScript), a byte-order mark, emoji (astral), and lone surrogates (orjson refuses them).
TRICKY = "\x00\x01\x07\x08\t\n\x0b\x0c\r\x1b\x1f\"\\/\x7f\x80\x9f\u2028\u2029\ufeff\U0001f600\U0001f3fb"
SURROGATES = "\ud800\udbff\udc00\udfff\ud83c"
characters = st.one_of(st.sampled_from(TRICKY), st.sampled_from(SURROGATES),
                       st.characters(codec=None, exclude_categories=()))
strings = st.text(characters, max_size=12)
integers = st.one_of(st.integers(-2**63 - 2, 2**64 + 2), st.integers(-2**200, 2**200),
                     st.sampled_from([2**63 - 1, 2**63, 2**64 - 1, 2**64, -2**63, -2**63 - 1]))
floats = st.one_of(st.floats(), st.sampled_from([1e-5, 1e-7, 1e16, 1e15, 0.1, -0.0, 1.0, 5e-324,
                                                 float("nan"), float("inf"), float("-inf")]))
scalars = st.one_of(st.none(), st.booleans(), integers, floats, strings)
keys = st.one_of(strings, st.integers(-2**70, 2**70), st.booleans(), st.none(), floats)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=5), st.tuples(inner, inner),
                            st.dictionaries(keys, inner, max_size=5),
                            st.dictionaries(strings, inner, max_size=5)),
    max_leaves=30)

FUZZ = settings(max_examples=1500, derandomize=True, database=None, deadline=None,
                suppress_health_check=[HealthCheck.too_slow])


@FUZZ
@given(values)
def test_dumps_writes_what_json_writes(value: Any) -> None:
    assert outcome(dumps, value) == outcome(reference, value)


@FUZZ
@given(st.dictionaries(strings, st.one_of(st.none(), st.booleans(), st.integers(-2**63, 2**64 - 1),
                                          strings, st.lists(strings, max_size=3)), max_size=8))
def test_plain_values_go_to_orjson_and_come_out_the_same(value: dict[str, Any]) -> None:
    """The values a report is made of (the ones orjson writes itself) agree with json too."""
    assert outcome(dumps, value) == outcome(reference, value)


class Colour(enum.Enum):
    RED = "red"


class Verdict(enum.StrEnum):
    WARNING = "warning"


@dataclasses.dataclass
class Point:
    x: int


def test_what_json_refuses_is_refused() -> None:
    """orjson writes dataclasses, dates and plain enums; json refuses them, and so does dumps."""
    for value in (Point(1), dt.date(2026, 1, 1), Colour.RED, {"a": [Point(2)]}, {1j: 1}, object()):
        assert outcome(dumps, value) == outcome(reference, value) == ("error", TypeError)


def test_subclasses_and_deep_nesting_agree() -> None:
    deep: Any = "bottom"
    for _ in range(400):  # deeper than orjson goes
        deep = [deep]
    cyclic: list[Any] = []
    cyclic.append(cyclic)
    for value in ({"verdict": Verdict.WARNING}, {Verdict.WARNING: 1}, deep, {"d": deep}, cyclic,
                  [True, 1, 1.0, None, "1"], {"": ""}, [], {}):
        assert outcome(dumps, value) == outcome(reference, value)


def test_report_records_agree(checker: Checker) -> None:
    """The records the JSON formats actually write: captions with controls, emoji, half an
    emoji pair, line separators."""
    captions = ["Reklame for @tehuset 🍵 | ny te", "Tak for gaven @brand \ud83c\x07\x1b[31m",
                "linje\u2028to\r\ntre\t#ad", ""]
    for result in checker.iter_results([Post(text=c or "x") for c in captions]):
        record = result.to_dict()
        assert dumps(record) == reference(record)
