"""The edges of ``skjult.normalize`` that the evasion tests do not reach: empty and end-of-text
spans mapped back, which captions keep no map, and exact per-character maps.

Written from the mutation run over normalize.py: each test here fails for a changed comparison
or constant that the other tests let through."""

from __future__ import annotations

import pytest

from skjult.normalize import Normalized, normalize

# one zero-width space inside the word: the cleaned text is one character shorter than the caption
HIDDEN = "Ny Rek\u200blame"


def test_a_span_at_the_end_of_the_cleaned_text_maps_to_the_end_of_the_caption() -> None:
    n = normalize(HIDDEN)
    assert n.text == "Ny Reklame"
    end = len(n.text)
    assert n.to_original(end, end) == (len(HIDDEN), len(HIDDEN))
    assert n.to_original(end, end + 3) == (len(HIDDEN), len(HIDDEN))
    assert n.to_original(end + 2, end + 2) == (len(HIDDEN), len(HIDDEN))


def test_an_empty_span_maps_to_an_empty_span_where_it_starts() -> None:
    n = normalize(HIDDEN)
    after_hidden = n.text.index("lame")  # its character in the caption comes after the U+200B
    assert n.to_original(after_hidden, after_hidden) == (7, 7)
    assert n.to_original(0, 0) == (0, 0)
    assert n.to_original(5, 4) == (5, 5)  # backwards: empty, at the start


def test_a_span_maps_from_its_first_start_to_its_last_end() -> None:
    n = normalize(HIDDEN)
    start = n.text.index("Reklame")
    assert n.to_original(start, start + 7) == (3, len(HIDDEN))
    assert n.to_original(start + 2, start + 4) == (5, 8)  # "kl": the hidden character between


def test_a_caption_without_a_map_is_its_own_map() -> None:
    n = Normalized("Reklame", "Reklame")
    assert n.to_original(2, 5) == (2, 5)
    assert n.to_normalized(3) == 3
    assert n.to_normalized(40) == 7  # past the end: the end


def test_to_normalized_finds_the_first_cleaned_character_at_or_after() -> None:
    n = normalize(HIDDEN)
    assert n.to_normalized(0) == 0
    assert n.to_normalized(6) == 6  # the U+200B itself: the "l" after it
    assert n.to_normalized(7) == 6
    assert n.to_normalized(len(HIDDEN)) == len(n.text)


@pytest.mark.parametrize("text", [
    "ab c d ef",  # letters one space apart, but never four single letters in a row
    "x y z",  # three single letters: too few to be a spaced-out word
    "Reklame for @butik",
    "",
])
def test_text_that_needs_nothing_keeps_no_map(text: str) -> None:
    n = normalize(text)
    assert (n.text, n.starts, n.ends) == (text, None, None)


@pytest.mark.parametrize(("written", "text", "starts", "ends"), [
    # a combining ring joins its base: one character from two
    ("a\u030a!", "å!", (0, 2), (2, 3)),
    # two combining marks on one base stay one cluster
    ("e\u0301\u0301x", "é\u0301x", (0, 0, 3), (3, 3, 4)),
    # a run of spaces collapses into the first, whose span grows over the run
    ("a \u00a0\tb", "a b", (0, 1, 4), (1, 4, 5)),
    # a lone carriage return is a line break; before a line feed it is dropped
    ("a\rb\r\nc", "a\nb\nc", (0, 1, 2, 4, 5), (1, 2, 3, 5, 6)),
    # a spaced-out word keeps its letters' own offsets
    ("Nu: R E K L A M E", "Nu: REKLAME", (0, 1, 2, 3, 4, 6, 8, 10, 12, 14, 16),
     (1, 2, 3, 4, 5, 7, 9, 11, 13, 15, 17)),
])
def test_exact_maps(written: str, text: str, starts: tuple[int, ...], ends: tuple[int, ...]
                    ) -> None:
    n = normalize(written)
    assert (n.text, n.starts, n.ends) == (text, starts, ends)
