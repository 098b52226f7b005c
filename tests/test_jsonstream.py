"""The streaming JSON reader passes over values it does not need without decoding them. Whatever
the value, wherever the buffer's refills cut it, it must stop exactly at the value's end."""

from __future__ import annotations

import json
import random
import time
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from skjult.readers import jsonstream
from skjult.readers.jsonstream import JsonReader, Unread, Want, walk

# Strings full of what confuses a scanner: brackets, quotes, backslashes, escapes.
tricky_text = st.text(alphabet=st.sampled_from(list('ab[]{}"\\/,:\n\t æ😀')), max_size=30)
values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | tricky_text,
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(tricky_text, inner, max_size=5),
    max_leaves=40)


class Pieces:
    """A text stream that hands out at most ``most`` characters a read, cut at random."""

    def __init__(self, text: str, most: int, seed: int):
        self.text, self.at, self.most = text, 0, most
        self.random = random.Random(seed)

    def read(self, size: int = -1) -> str:
        take = self.random.randint(1, max(1, min(size, self.most)))
        out = self.text[self.at:self.at + take]
        self.at += len(out)
        return out


def keep_after_skip(document: str, chunk: int, seed: int) -> list[tuple[Any, ...]]:
    def select(path: tuple[Any, ...]) -> Want:
        if not path:
            return Want.DESCEND
        return Want.VALUE if path == ("keep",) else Want.NOTHING

    reader = JsonReader(Pieces(document, chunk, seed))  # type: ignore[arg-type]
    return [(path, line, value) for path, line, value in walk(reader, select)]


@pytest.fixture()
def small_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    # refills every few characters: every value is cut by the buffer somewhere
    monkeypatch.setattr(jsonstream, "CHUNK", 5)
    monkeypatch.setattr(jsonstream, "_LONG_STRING", 12)


@pytest.mark.usefixtures("small_chunks")
@settings(max_examples=300, derandomize=True, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(value=values, indent=st.sampled_from([None, 1]), seed=st.integers(0, 1000),
       chunk=st.integers(1, 40))
def test_a_passed_over_value_ends_exactly_where_it_ends(value: Any, indent: int | None, seed: int,
                                                        chunk: int) -> None:
    document = json.dumps({"skip": value, "keep": ["after", 1]}, indent=indent, ensure_ascii=False)
    [(path, line, kept)] = keep_after_skip(document, chunk, seed)
    assert path == ("keep",) and kept == ["after", 1]
    assert line == document[:document.index('"keep"')].count("\n") + 1


def test_nesting_beyond_the_decoder_is_passed_over_and_reading_goes_on() -> None:
    document = '[{"a": 1}, ' + "[" * 100_000 + "]" * 100_000 + ', {"b": 2}]'
    reader = JsonReader(Pieces(document, 1 << 16, 1))  # type: ignore[arg-type]
    items = [value for _, _, value in walk(reader, lambda path: Want.ITEMS)]
    assert items[0] == {"a": 1} and items[2] == {"b": 2}
    assert isinstance(items[1], Unread) and "nested" in items[1].reason


def test_passing_over_a_large_value_is_linear() -> None:
    def seconds(n: int) -> float:
        history = json.dumps([{"Date": "2024-01-01", "Link": f"https://x/{i}", "n": [i, {"k": "]"}]}
                              for i in range(n)])
        document = json.dumps({"skip": "§"})[:-1].replace('"§"', history) + ', "keep": 1}'
        start = time.process_time()
        assert keep_after_skip(document, 1 << 16, 0)[0][2] == 1
        return time.process_time() - start

    small, large = seconds(20_000), seconds(160_000)
    assert large < 8 * small * 1.5 + 0.5, (small, large)  # 8× the size, not 64× the time
