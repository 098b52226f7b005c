"""Unicode clean-up for matching, with a map back to the caption as the user wrote it.

Creators write labels in styled alphabets (𝐑𝐞𝐤𝐥𝐚𝐦𝐞, ʀᴇᴋʟᴀᴍᴇ, ＲＥＫＬＡＭＥ), hide zero-width
characters inside them, borrow Cyrillic look-alikes or space the letters apart (R E K L A M E).
Matching runs on a cleaned copy; every character of that copy remembers which characters of the
original it came from, so findings always point into the original text.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from dataclasses import dataclass

import regex

# Characters that render as nothing (or next to nothing) and are used to break words apart.
INVISIBLE = frozenset(
    "\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180e\u200b\u200c\u200d\u200e\u200f"
    "\u202a\u202b\u202c\u202d\u202e\u2060\u2061\u2062\u2063\u2064\u2066\u2067\u2068\u2069"
    "\u206a\u206b\u206c\u206d\u206e\u206f\u3164\ufe00\ufe01\ufe02\ufe03\ufe04\ufe05\ufe06"
    "\ufe07\ufe08\ufe09\ufe0a\ufe0b\ufe0c\ufe0d\ufe0e\ufe0f\ufeff\uffa0"
)

# Letters that NFKC leaves alone but that read as Latin letters: small capitals, Cyrillic and
# Greek look-alikes, a few modifier letters. Facts from Unicode's confusables data, reduced to
# the letters that can spell the labels we look for.
CONFUSABLES: dict[str, str] = {
    # small capitals (U+1D00 block and IPA extensions)
    "ᴀ": "a", "ʙ": "b", "ᴄ": "c", "ᴅ": "d", "ᴇ": "e", "ꜰ": "f", "ɢ": "g", "ʜ": "h", "ɪ": "i",
    "ᴊ": "j", "ᴋ": "k", "ʟ": "l", "ᴍ": "m", "ɴ": "n", "ᴏ": "o", "ᴘ": "p", "ʀ": "r", "ꜱ": "s",
    "ᴛ": "t", "ᴜ": "u", "ᴠ": "v", "ᴡ": "w", "ʏ": "y", "ᴢ": "z", "ᴁ": "æ", "ᴓ": "ø",
    # Cyrillic look-alikes
    "а": "a", "в": "b", "с": "c", "е": "e", "һ": "h", "і": "i", "ј": "j", "к": "k", "м": "m",
    "н": "h", "о": "o", "р": "p", "ѕ": "s", "т": "t", "х": "x", "у": "y", "ԁ": "d", "ԛ": "q",
    "ԝ": "w", "А": "A", "В": "B", "С": "C", "Е": "E", "Н": "H", "І": "I", "Ј": "J", "К": "K",
    "М": "M", "О": "O", "Р": "P", "Ѕ": "S", "Т": "T", "Х": "X", "У": "Y", "Ԁ": "D", "Ԛ": "Q",
    "Ԝ": "W", "Ӏ": "l",
    # Greek look-alikes
    "Α": "A", "Β": "B", "Ε": "E", "Ζ": "Z", "Η": "H", "Ι": "I", "Κ": "K", "Μ": "M", "Ν": "N",
    "Ο": "O", "Ρ": "P", "Τ": "T", "Υ": "Y", "Χ": "X", "ο": "o", "ν": "v", "κ": "k", "ι": "i",
    "α": "a", "ε": "e", "ρ": "p", "τ": "t", "υ": "u",
}

# Squared and negative-squared/circled capitals (🄰 🅰 🅐) have no NFKC mapping.
_LETTER_BLOCKS = ((0x1F130, "A"), (0x1F150, "A"), (0x1F170, "A"))
for _start, _first in _LETTER_BLOCKS:
    for _i in range(26):
        CONFUSABLES[chr(_start + _i)] = chr(ord(_first) + _i)

# Four or more single letters held apart by one separator each: "R E K L A M E", "R-E-K-L-A-M-E",
# "R.E.K.L.A.M.E". Single-letter Danish words ("i", "å", "ø") rarely come four in a row.
_SPACED_LETTERS = regex.compile(r"(?<![\p{L}\p{N}])\p{L}(?:[ \-.·•_*/]\p{L}){3,}(?![\p{L}\p{N}])")
# Characters that may need work; a caption with none of them needs no map at all.
# (A plain character class: the standard library's engine tests it several times faster.)
_NEEDS_WORK = re.compile(
    "["
    + re.escape("".join(INVISIBLE) + "".join(CONFUSABLES))
    + "\r\t\u00a0\u2000-\u200a\u202f\u205f\u3000]"
)
# What every spaced-out word holds, without the boundary checks: a cheap test before the real one.
_SPACED_HINT = regex.compile(r"\p{L}[ \-.·•_*/]\p{L}[ \-.·•_*/]\p{L}[ \-.·•_*/]\p{L}")


@dataclass(frozen=True, slots=True)
class Normalized:
    """The cleaned text plus, per cleaned character, the span it came from in the original.

    ``starts``/``ends`` are ``None`` when the cleaned text is the original (the common case),
    which keeps the fast path free of per-character lists.
    """

    original: str
    text: str
    starts: tuple[int, ...] | None = None
    ends: tuple[int, ...] | None = None

    def to_original(self, start: int, end: int) -> tuple[int, int]:
        """Map a half-open span of the cleaned text to the original caption."""
        if self.starts is None or self.ends is None:
            return start, end
        if start >= len(self.starts):
            n = len(self.original)
            return n, n
        if end <= start:
            o = self.starts[start]
            return o, o
        return self.starts[start], self.ends[end - 1]

    def to_normalized(self, original_offset: int) -> int:
        """The first cleaned character at or after an offset in the original."""
        if self.starts is None:
            return min(original_offset, len(self.text))
        return bisect.bisect_left(self.starts, original_offset)  # starts never decrease


def _clusters(text: str, i: int, n: int) -> list[tuple[int, int]]:
    """Spans of a base character with its combining marks, so NFKC can compose å from a+˚."""
    spans: list[tuple[int, int]] = []
    while i < n:
        j = i + 1
        while j < n and unicodedata.combining(text[j]):
            j += 1
        spans.append((i, j))
        i = j
    return spans


# Characters that can be copied as they are: printable ASCII and the Latin-1 letters (NFKC leaves
# them alone, none is invisible or a look-alike), and the newline. Everything else, plus the
# character before it (it may be the base of a combining mark) and runs of spaces, goes through
# the careful path one grapheme cluster at a time.
_CAREFUL = regex.compile(r"[ -~\u00c0-\u00ff\n]?[^ -~\u00c0-\u00ff\n]+|  +(?![^ -~\u00c0-\u00ff\n])")


def normalize(original: str) -> Normalized:
    """Clean a caption for matching; see the module docstring for what is cleaned."""
    if (
        unicodedata.is_normalized("NFKC", original)
        and not _NEEDS_WORK.search(original)
        and "  " not in original
        and not (_SPACED_HINT.search(original) and _SPACED_LETTERS.search(original))
    ):
        return Normalized(original, original)

    chars: list[str] = []  # pieces of the cleaned text
    starts: list[int] = []  # per cleaned character
    ends: list[int] = []
    done = 0
    for m in _CAREFUL.finditer(original):
        if m.start() > done:
            _copy(original, done, m.start(), chars, starts, ends)
        _clean(original, m.start(), m.end(), chars, starts, ends)
        done = m.end()
    if done < len(original):
        _copy(original, done, len(original), chars, starts, ends)

    text = "".join(chars)
    # Join letters spaced apart: drop the separators, keep the letters' own offsets.
    drop: set[int] = set()
    for m in _SPACED_LETTERS.finditer(text):
        drop.update(range(m.start() + 1, m.end(), 2))
    if drop:
        keep = [i for i in range(len(text)) if i not in drop]
        text = "".join(text[i] for i in keep)
        starts = [starts[i] for i in keep]
        ends = [ends[i] for i in keep]
    return Normalized(original, text, tuple(starts), tuple(ends))


def _copy(original: str, a: int, b: int, chars: list[str], starts: list[int], ends: list[int]
          ) -> None:
    """Characters that need nothing: copied in one go."""
    if original[a] == " " and chars and chars[-1].endswith(" "):
        ends[-1] = a + 1  # collapse into the space the careful path just wrote
        a += 1
        if a == b:
            return
    chars.append(original[a:b])
    starts.extend(range(a, b))
    ends.extend(range(a + 1, b + 1))


def _clean(original: str, a: int, b: int, chars: list[str], starts: list[int], ends: list[int]
           ) -> None:
    """The careful path over ``original[a:b]``, one grapheme cluster at a time."""
    for ca, cb in _clusters(original, a, b):
        piece = original[ca:cb]
        if piece in INVISIBLE:
            continue
        if piece == "\r":
            if cb < len(original) and original[cb] == "\n":
                continue
            piece = "\n"
        mapped = CONFUSABLES.get(piece)
        if mapped is None:
            mapped = unicodedata.normalize("NFKC", piece)
        for ch in mapped:
            if ch in INVISIBLE:
                continue
            if ch != "\n" and ch.isspace():
                ch = " "
                # collapse runs of horizontal white space into one
                if chars and chars[-1].endswith(" "):
                    ends[-1] = cb
                    continue
            chars.append(ch)
            starts.append(ca)
            ends.append(cb)
