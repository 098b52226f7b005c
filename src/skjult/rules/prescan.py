"""Which literal text every match of a term-set pattern holds, so a caption without it is not
searched.

A pattern is searched on every caption, and most captions hold none of a given pattern's words:
``\\b(?:rabat)?(?:kode|koden|code)\\s*...`` cannot match a caption without "kode" or "code".
``required_literals`` reads that from the pattern's text, conservatively: it understands a leading
``\\b``, look-arounds (which consume nothing), optional groups it may skip, a group of plain
alternatives, a plain literal, and top-level alternatives; anything else gives ``None`` and the
pattern is always searched. The test compares the folded caption with the folded literals, so it
only ever says "cannot match" when that is true (``tests/test_prescan.py`` checks it on every
shipped pattern and every caption we have).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import regex

_META = frozenset(".^$*+?{}[]()|\\")
_LOOKAROUND = regex.compile(r"\(\?<?[=!](?:[^()\\\[]|\\.|\[(?:[^\]\\]|\\.)*\])*\)")
_OPTIONAL = ("?", "*", "{0", "{,")
_ESCAPED_LITERAL = frozenset(".^$*+?{}[]()|\\/-#@&%'\" ")


def fold(text: str) -> str:
    """Case-folded as the patterns fold it, one letter for one: ``casefold`` alone turns the
    Turkish dotted capital İ into two characters ("i" and a combining dot), while a pattern's
    simple folding matches it as "i"."""
    return text.replace("\u0130", "i").casefold()


# Longer patterns, and groups nested deeper, are not read (the pattern is always searched): the
# walk copies what is left of the pattern at each step and recurses once per group.
MAX_PATTERN = 10_000
MAX_DEPTH = 32


def required_literals(pattern: str) -> tuple[str, ...] | None:
    """Folded literals one of which every match holds; ``None`` when not known."""
    pattern = pattern.removeprefix("(?-f)")
    if len(pattern) > MAX_PATTERN:
        return None
    branches = _split_top(pattern)
    if branches is None:
        return None
    found: list[str] = []
    for branch in branches:
        literals = _branch(branch)
        if not literals:
            return None
        found.extend(literals)
    return tuple(dict.fromkeys(found))


class _Unreadable(Exception):
    """A pattern the walk cannot follow (an unclosed class): its literals are not known."""


def _structure(pattern: str, start: int = 0) -> Iterator[tuple[int, str, int]]:
    """The pattern's grouping characters ``(``, ``)`` and ``|`` from ``start`` on, each with its
    position and the group depth before it; escapes and character classes are stepped over."""
    depth, i = 0, start
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\":
            i += 2
            continue
        if ch == "[":
            end = _class_end(pattern, i)
            if end is None:
                raise _Unreadable
            i = end + 1
            continue
        if ch in "()|":
            yield i, ch, depth
            depth += {"(": 1, ")": -1}.get(ch, 0)
        i += 1


def _split_top(pattern: str) -> list[str] | None:
    """The pattern's top-level alternatives."""
    parts, start = [], 0
    try:
        for i, ch, depth in _structure(pattern):
            if ch == "|" and depth == 0:
                parts.append(pattern[start:i])
                start = i + 1
    except _Unreadable:
        return None
    parts.append(pattern[start:])
    return parts


def _group_end(pattern: str, start: int) -> int | None:
    """Where the group opening at ``start`` closes."""
    try:
        return next((i for i, ch, depth in _structure(pattern, start) if ch == ")" and depth == 1),
                    None)
    except _Unreadable:
        return None


def _class_end(pattern: str, start: int) -> int | None:
    i = start + 1
    if pattern[i:i + 1] == "^":
        i += 1
    if pattern[i:i + 1] == "]":
        i += 1
    while i < len(pattern):
        if pattern[i] == "\\":
            i += 2
            continue
        if pattern[i] == "]":
            return i
        i += 1
    return None


def _branch(branch: str, depth: int = 0) -> list[str] | None:
    if depth > MAX_DEPTH:
        return None
    rest = branch
    while True:
        if rest.startswith("\\b"):
            rest = rest[2:]
            continue
        look = _LOOKAROUND.match(rest)
        if look:
            rest = rest[look.end():]
            continue
        if len(rest) >= 2 and rest[0] not in _META and rest[1] == "?":  # "#?": may be absent
            rest = rest[2:]
            continue
        if rest[:1] == "\\" and rest[1:2] in _ESCAPED_LITERAL and rest[2:3] == "?":
            rest = rest[3:]
            continue
        if rest.startswith("(?:"):
            end = _group_end(rest, 0)
            if end is None:
                return None
            after = rest[end + 1:]
            if after.startswith(_OPTIONAL):  # an optional group: what follows it is required
                skip = after.index("}") + 1 if after.startswith("{") else 1
                rest = after[skip:].lstrip("?+")
                continue
            inner = _split_top(rest[3:end])
            if inner is None:
                return None
            literals = []
            for alternative in inner:
                found = _branch(alternative, depth + 1)
                if not found:
                    return None
                literals.extend(found)
            return literals
        break
    literal = _literal(rest)
    return [fold(literal)] if literal else None


def _literal(text: str) -> str:
    """The plain text a pattern piece starts with (before any operator it cannot see past)."""
    out: list[str] = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == "\\":
            nxt = text[i + 1:i + 2]
            if nxt not in _ESCAPED_LITERAL:
                break
            out.append(nxt)
            i += 2
            continue
        if ch in _META:
            break
        out.append(ch)
        i += 1
    if out and text[i:].startswith(_OPTIONAL):  # "links?": the last letter may be missing
        out.pop()
    literal = "".join(out)
    # a single letter says too little; a single sign (@, #, %, an emoji) is worth checking
    if len(literal) == 1 and literal.isalnum():
        return ""
    return literal


class LiteralScan:
    """Which of many literals occur in a caption (substring tests on its folded text)."""

    def __init__(self, groups: Iterable[tuple[str, ...]]):
        self._literals = tuple(sorted({lit for group in groups for lit in group}))

    def present(self, text: str) -> frozenset[str]:
        folded = fold(text)
        return frozenset([lit for lit in self._literals if lit in folded])
