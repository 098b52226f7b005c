"""Tokenization, caption anatomy and language."""

from __future__ import annotations

import pytest

from skjult.caption import Fold, prepare, tokenize


def tokens(text: str) -> list[str]:
    return [t.text for t in tokenize(prepare(text)) if not t.is_space]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("#reklame #ad", ["#reklame", "#ad"]),
        ("#reklame#ad", ["#reklame", "#ad"]),
        ("#Reklame|#spons", ["#Reklame", "|", "#spons"]),
        ("🎁Reklame for @matas!", ["🎁", "Reklame", "for", "@matas", "!"]),
        ("gaven🎁#gifted", ["gaven", "🎁", "#gifted"]),
        ("REKLAME|Nye sko", ["REKLAME", "|", "Nye", "sko"]),
        ("#reklame,#ad", ["#reklame", ",", "#ad"]),
        ("@normal_dk, hej", ["@normal_dk", ",", "hej"]),
    ],
)
def test_hashtags_and_handles_stay_whole(text: str, expected: list[str]) -> None:
    assert tokens(text) == expected


def test_trailing_hashtag_block_is_found() -> None:
    text = "Nye sko fra @x, brug koden SKO10\n.\n.\n#sko #reklame #mode"
    caption = prepare(text)
    assert caption.hashtag_block == text.index("#sko")
    assert caption.in_hashtag_block(text.index("#reklame"))


def test_tags_at_the_start_are_no_trailing_block() -> None:
    assert prepare("#reklame #sko #mode").hashtag_block is None
    assert prepare("#reklame for @x nye sko").hashtag_block is None


def test_a_url_fragment_is_not_a_hashtag() -> None:
    assert prepare("Se https://shop.dk/sko#bund").hashtag_block is None


def test_fold_counts_original_characters() -> None:
    text = "𝐀" * 10 + " " + "b" * 200
    caption = prepare(text, Fold(chars=20))
    assert caption.before_fold(0)
    assert not caption.before_fold(len(caption.text) - 1)


def test_fold_can_stop_at_a_line_break() -> None:
    caption = prepare("linje et\nlinje to\nlinje tre", Fold(chars=125, lines=1))
    assert caption.fold == len("linje et")


def test_lines_are_spans_of_the_text() -> None:
    caption = prepare("a\nbc\n")
    assert caption.lines == ((0, 1), (2, 4), (5, 5))


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Jeg har været på tur med min familie og det var så hyggeligt", "da"),
        ("I have been on a trip with my family and it was so lovely", "en"),
        ("Ich bin heute mit meiner Familie im Wald spazieren gegangen", "other"),
        ("🔥🔥", "unknown"),
    ],
)
def test_language(text: str, language: str) -> None:
    assert prepare(text).language == language
