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


def _one_cluster_at_a_time(original: str) -> tuple[str, list[int], list[int]]:
    """The plain algorithm the fast one must agree with: every cluster through the careful path."""
    import unicodedata

    from skjult.normalize import _SPACED_LETTERS, CONFUSABLES, INVISIBLE

    chars: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    i = 0
    while i < len(original):
        j = i + 1
        while j < len(original) and unicodedata.combining(original[j]):
            j += 1
        piece = original[i:j]
        if piece == "\r":
            piece = "" if j < len(original) and original[j] == "\n" else "\n"
        if piece and piece not in INVISIBLE:
            mapped = CONFUSABLES.get(piece) or unicodedata.normalize("NFKC", piece)
            for ch in mapped:
                if ch in INVISIBLE:
                    continue
                if ch != "\n" and ch.isspace():
                    ch = " "
                    if chars and chars[-1] == " ":
                        ends[-1] = j
                        continue
                chars.append(ch)
                starts.append(i)
                ends.append(j)
        i = j
    text = "".join(chars)
    drop = {k for m in _SPACED_LETTERS.finditer(text) for k in range(m.start() + 1, m.end(), 2)}
    keep = [k for k in range(len(text)) if k not in drop]
    return "".join(text[k] for k in keep), [starts[k] for k in keep], [ends[k] for k in keep]


def test_fast_paths_agree_with_one_cluster_at_a_time() -> None:
    import random

    palette = ["a", "b", "R", "e", "k", " ", " ", "  ", "\n", "\r\n", "\r", "\t", "\u00a0", "ø", "Å",
               "\u030a", "\u0301", "\u200b", "\ufe0f", "☀", "🎁", "𝐑", "ᴇ", "е", "ª", "²", "#", "@",
               "-", ".", "½", "\u3000", "ﬁ", "Ⓡ"]
    rng = random.Random(5)
    for _ in range(3000):
        text = "".join(rng.choice(palette) for _ in range(rng.randint(0, 25)))
        want_text, want_starts, want_ends = _one_cluster_at_a_time(text)
        got = normalize(text)
        assert got.text == want_text, ascii(text)
        if got.starts is not None:
            assert (list(got.starts), list(got.ends or ())) == (want_starts, want_ends), ascii(text)
        else:  # nothing to clean: the text is its own map
            assert got.text == text, ascii(text)
