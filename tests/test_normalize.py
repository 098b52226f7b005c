"""Each evasion from DESIGN.md's "Text is hostile" is cleaned, and offsets lead back."""

from __future__ import annotations

import pytest

from skjult.normalize import normalize


@pytest.mark.parametrize(
    ("written", "cleaned"),
    [
        ("𝐑𝐞𝐤𝐥𝐚𝐦𝐞", "Reklame"),  # mathematical bold
        ("𝑅𝑒𝑘𝑙𝑎𝑚𝑒", "Reklame"),  # mathematical italic
        ("𝗔𝗡𝗡𝗢𝗡𝗖𝗘", "ANNONCE"),  # sans-serif bold
        ("ʀᴇᴋʟᴀᴍᴇ", "reklame"),  # small capitals
        ("ＲＥＫＬＡＭＥ", "REKLAME"),  # full width
        ("Rek\u200blame", "Reklame"),  # zero-width space
        ("Rek\u00adla\u2060me", "Reklame"),  # soft hyphen, word joiner
        ("Rеklаmе", "Reklame"),  # Cyrillic е and а
        ("R E K L A M E", "REKLAME"),  # spaced
        ("R-E-K-L-A-M-E", "REKLAME"),  # hyphenated
        ("r.e.k.l.a.m.e", "reklame"),  # dotted
        ("🅁🄴🄺🄻🄰🄼🄴", "REKLAME"),  # squared letters
        ("a\u030a", "å"),  # decomposed å composes
    ],
)
def test_evasions_are_cleaned(written: str, cleaned: str) -> None:
    assert normalize(written).text == cleaned


def test_offsets_point_into_the_original() -> None:
    written = "Hej 𝐑𝐞𝐤\u200b𝐥𝐚𝐦𝐞 for @x"
    n = normalize(written)
    start = n.text.index("Reklame")
    o_start, o_end = n.to_original(start, start + len("Reklame"))
    assert written[o_start:o_end] == "𝐑𝐞𝐤\u200b𝐥𝐚𝐦𝐞"


def test_spaced_letters_map_to_the_whole_spaced_span() -> None:
    written = "Nyt: R E K L A M E for @x"
    n = normalize(written)
    start = n.text.index("REKLAME")
    o_start, o_end = n.to_original(start, start + 7)
    assert written[o_start:o_end] == "R E K L A M E"


def test_ordinary_text_is_left_alone_without_a_map() -> None:
    n = normalize("Reklame for @matas – æøå 🛒")
    assert n.text == n.original
    assert n.starts is None


def test_single_letter_words_are_not_joined() -> None:
    assert normalize("i å ø").text == "i å ø"


def test_white_space_runs_collapse_but_lines_stay() -> None:
    n = normalize("I  samarbejde\u00a0med\r\nnæste linje")
    assert n.text == "I samarbejde med\nnæste linje"
    assert n.to_original(n.text.index("næste"), n.text.index("næste") + 5)[0] == 19
