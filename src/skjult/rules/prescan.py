"""Which literal text every match of a term-set pattern holds, so a caption without it is not
searched, and one scan of a caption for all of those literals at once.

A pack has about 130 patterns; most captions hold none of a given pattern's words. Searching
each pattern on each caption cost more than everything else in a check together. So each
pattern is read once, when the pack is compiled, for a *requirement*: a few literals one of
which every match must contain (``\\b(?:rabat)?(?:kode|koden|code)\\s*:`` needs "kode" or
"code"; ``(?<=^|[|:])\\s*(?:reklame|annonce)\\b`` needs "reklame" or "annonce"). One
Aho–Corasick pass over the folded caption finds which literals occur, and only the patterns
whose requirement is met are searched.

``required_literals`` parses the pattern's syntax itself (the ``regex`` module's is wider than
``re``'s parser knows) and is conservative: a construct it does not know (verbose mode, fuzzy
matching, conditionals, set operations in classes) gives ``None``, and the pattern is always
searched. Inside a concatenation it picks the most telling piece: runs of literal characters,
small character classes and short alternations are multiplied out into the strings they can
be (``1[3-7]`` is "13" … "17"); optional pieces require nothing; zero-width assertions and
look-arounds consume nothing and are stepped over. The comparison is on folded text, so a
pattern that ignores case, and one that does not, are both only ever skipped when they cannot
match (``tests/test_prescan.py`` checks this on every shipped pattern, on every caption we have,
and on generated text).
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Sequence
from typing import Any

import ahocorasick

from skjult.rules.casefolds import FOLD_FIRST

# Letters a case-insensitive pattern matches although ``casefold`` makes them something else
# (see skjult.rules.casefolds): put to their case class's folding first.
_FOLD_FIRST = str.maketrans(FOLD_FIRST)
_NEEDS_FOLD_FIRST = re.compile("[" + re.escape("".join(FOLD_FIRST)) + "]")  # translate is slow


def fold(text: str) -> str:
    """Case-folded so that whatever a pattern's simple case folding matches to a literal folds
    to that literal's own folding."""
    if not text.isascii() and _NEEDS_FOLD_FIRST.search(text):
        text = text.translate(_FOLD_FIRST)
    return text.casefold()


# Longer patterns, and groups nested deeper, are not read (the pattern is always searched).
MAX_PATTERN = 10_000
MAX_DEPTH = 32
# A piece is multiplied out into at most this many strings ("[a-e][a-e][a-e]" would be 125).
MAX_STRINGS = 64
# A pattern's requirement keeps at most this many sets (all of which must be met).
MAX_NEEDS = 3
# A run of literal text is cut into literals of at most about this many characters.
MAX_LITERAL = 32
# A pattern's ways to match (top-level branches) kept apart, at most this many.
MAX_OPTIONS = 16
# A character class of at most this many characters counts as an alternation of them.
MAX_CLASS = 12

_ZERO_WIDTH_ESCAPES = frozenset("bBAZzGmMK")
_CHAR_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "f": "\f", "v": "\v", "a": "\a"}
# Inline flags of the regex module, turned on and (after "-") off.
_FLAGS = re.compile(r"(?:[abefiLmprsuwx]|V[01])*(?:-(?:[abefiLmprsuwx]|V[01])+)?")


def _number(text: str) -> bool:
    """A quantifier's bound as the regex module reads it: ASCII digits, or nothing."""
    return text == "" or (text.isascii() and text.isdigit() and len(text) <= 9)


def _comment_end(pattern: str, start: int) -> int:
    """Where the comment whose text starts at ``start`` ends (a backslash escapes ")")."""
    i = start
    while i < len(pattern):
        if pattern[i] == "\\":
            i += 2
            continue
        if pattern[i] == ")":
            return i
        i += 1
    raise _Unknown


class _Unknown(Exception):
    """A construct the parser does not follow: the pattern's requirement is not known."""


@dataclasses.dataclass(frozen=True, slots=True)
class _Info:
    """What a piece of a pattern tells: ``exact``, every string it can match (when few and
    known); ``needs``, sets of strings such that every match contains one string of each."""

    exact: frozenset[str] | None
    needs: tuple[frozenset[str], ...] = ()
    # An alternation's branches, each with its own needs: a match satisfies one branch's needs
    # entirely, which tells more than one set made of every branch's best.
    branches: tuple[_Info, ...] = ()

    def best(self) -> frozenset[str] | None:
        """The most telling single set of strings one of which every match contains."""
        best = self.exact if _score(self.exact)[0] else None
        for need in self.needs:
            best = _better(best, need)
        return best

    def all(self) -> tuple[frozenset[str], ...]:
        """Every set of strings it needs, the most telling first (at most ``MAX_NEEDS``)."""
        sets = [*self.needs, *([self.exact] if self.exact is not None else [])]
        telling = {s for s in sets if _score(s)[0]}
        return tuple(sorted(telling, key=lambda s: (_score(s), sorted(s)), reverse=True)
                     )[:MAX_NEEDS]

    def options(self) -> list[tuple[frozenset[str], ...]] | None:
        """Ways to match, each with every set it needs: a match meets one of them. ``None``
        when some way needs nothing telling."""
        if not self.branches:
            needs = self.all()
            return [needs] if needs else None
        found: list[tuple[frozenset[str], ...]] = []
        for branch in self.branches:
            more = branch.options()
            if more is None:
                return None
            found += more
        if len(found) > MAX_OPTIONS:  # too many ways: one set of every branch's best
            needs = self.all()
            return [needs] if needs else None
        return found


_EMPTY = _Info(frozenset({""}))
# What a comment or a group of flags stands for: nothing, but a quantifier after it repeats the
# item before it (told apart from _EMPTY by identity).
_NOTHING = _Info(frozenset({""}))
_ANY = _Info(None)


def _score(strings: frozenset[str] | None) -> tuple[int, int]:
    """How telling a requirement is: its shortest string's length first (a requirement holding
    "" is met by every text), then how few strings it has."""
    if not strings or "" in strings:
        return (0, 0)
    return (min(len(s) for s in strings), -len(strings))


def _better(a: frozenset[str] | None, b: frozenset[str] | None) -> frozenset[str] | None:
    best = a if _score(a) >= _score(b) else b
    return best if _score(best)[0] else None


class _Parser:
    """A recursive-descent reader of a pattern, giving each piece's ``_Info``."""

    def __init__(self, pattern: str):
        self.p = pattern
        self.i = 0
        self.depth = 0

    def parse(self) -> _Info:
        info = self.alternation()
        if self.i != len(self.p):
            raise _Unknown  # an unmatched ")"
        return info

    def alternation(self) -> _Info:
        branches = [self.sequence()]
        while self.peek() == "|":
            self.i += 1
            branches.append(self.sequence())
        if len(branches) == 1:
            return branches[0]
        exact: frozenset[str] | None = frozenset()
        need: frozenset[str] | None = frozenset()
        for branch in branches:
            if exact is not None and branch.exact is not None:
                exact = exact | branch.exact
                if len(exact) > MAX_STRINGS:
                    exact = None
            else:
                exact = None
            best = branch.best()  # every branch must name what it needs, or nothing is needed
            need = None if best is None or need is None else need | best
        return _Info(exact, (need,) if need else (), tuple(branches))

    def sequence(self) -> _Info:
        run = frozenset({""})  # the strings the pieces since the last unknown one can be
        longest = 0  # the length of the longest of them
        whole = True  # every piece so far had its strings known
        candidates: list[frozenset[str]] = []
        pieces: list[_Info] = []
        while self.i < len(self.p) and self.peek() not in "|)":
            piece = self.quantified()
            if piece != _EMPTY:
                pieces.append(piece)
            candidates.extend(piece.needs)
            if piece.exact is not None:
                joined = frozenset(a + b for a in run for b in piece.exact)
                if len(joined) <= MAX_STRINGS:
                    run = joined
                    longest += max(len(b) for b in piece.exact)
                    if longest >= MAX_LITERAL:  # telling enough: kept, and the next run begun
                        candidates.append(run)  # (so long literal runs cost linear time)
                        whole, run, longest = False, frozenset({""}), 0
                    continue
            candidates.append(run)
            whole = False
            # an unknown piece ends the run; a known one too many to join starts the next
            run = piece.exact if piece.exact is not None else frozenset({""})
            longest = max(len(b) for b in run)
        candidates.append(run)
        if len(pieces) == 1:  # one piece among assertions of nothing ("(?-f)(?:a|b)") is that piece
            return pieces[0]
        return _Info(run if whole else None, _Info(None, tuple(candidates)).all())

    def quantified(self) -> _Info:
        atom = self.atom()
        if atom is _NOTHING and self.peek() in ("?", "*", "+", "{"):
            # after a comment or flags the regex module repeats the item before them
            raise _Unknown
        quantifier = self.quantifier()
        if quantifier is None:
            return atom
        low, high = quantifier
        if low == 0:
            if high == 1 and atom.exact is not None:
                return _Info(atom.exact | {""})
            return _EMPTY if atom.exact == frozenset({""}) else _ANY
        if high == 1:
            return atom
        return _Info(None, atom.all())

    def quantifier(self) -> tuple[int, int | None] | None:
        ch = self.peek()
        if ch in ("?", "*", "+"):
            self.i += 1
            bounds: tuple[int, int | None] = {"?": (0, 1), "*": (0, None), "+": (1, None)}[ch]
        elif ch == "{":
            close = self.p.find("}", self.i)
            body = self.p[self.i + 1:close] if close > 0 else ""
            low_text, comma, high_text = body.partition(",")
            if close < 0 or not _number(low_text) or not _number(high_text) or \
                    (not comma and not low_text):
                # fuzzy matching ("{e<=1}"), or braces the regex module may read as text
                # ("{١}": its digits are ASCII only)
                raise _Unknown
            self.i = close + 1
            low = int(low_text) if low_text else 0
            high = (int(high_text) if high_text else None) if comma else low
            bounds = (low, high)
        else:
            return None
        if self.peek() in ("?", "+"):  # lazy or possessive: the same strings
            self.i += 1
        return bounds

    def atom(self) -> _Info:
        ch = self.p[self.i]
        if ch == "(":
            return self.group()
        if ch == "[":
            return self.character_class()
        if ch == "\\":
            return self.escape()
        self.i += 1
        if ch in "^$":
            return _EMPTY
        if ch == ".":
            return _ANY
        if ch in "*+?{":
            raise _Unknown  # a quantifier with nothing to repeat
        return _Info(frozenset({fold(ch)}))

    def escape(self) -> _Info:
        nxt = self.p[self.i + 1:self.i + 2]
        if not nxt:
            raise _Unknown
        self.i += 2
        if nxt in _ZERO_WIDTH_ESCAPES:
            return _EMPTY
        if nxt in _CHAR_ESCAPES:
            return _Info(frozenset({_CHAR_ESCAPES[nxt]}))
        if nxt in "xuU":
            return self.code_point(nxt)
        if nxt.isalnum() or nxt == "_":
            # classes (\d \w \s \p{…}), back references, named characters: some character(s)
            if self.peek() == "{" and nxt in "pPNg":
                close = self.p.find("}", self.i)
                if close < 0:
                    raise _Unknown
                self.i = close + 1
            elif nxt in "pP":  # "\pL": a property named by one letter
                self.i += 1
            elif nxt == "g" and self.peek() == "<":
                close = self.p.find(">", self.i)
                if close < 0:
                    raise _Unknown
                self.i = close + 1
            return _ANY
        return _Info(frozenset({fold(nxt)}))  # an escaped sign stands for itself

    def code_point(self, kind: str) -> _Info:
        if kind == "x" and self.peek() == "{":
            close = self.p.find("}", self.i)
            digits = self.p[self.i + 1:close] if close > 0 else ""
            self.i = close + 1
        else:
            width = {"x": 2, "u": 4, "U": 8}[kind]
            digits = self.p[self.i:self.i + width]
            self.i += width
        try:
            return _Info(frozenset({fold(chr(int(digits, 16)))}))
        except ValueError:
            raise _Unknown from None

    def character_class(self) -> _Info:
        """``[...]``: small sets of plain characters are alternations; anything else (ranges
        that are long, escapes for classes, negation) is some character."""
        i = self.i + 1
        negated = self.p[i:i + 1] == "^"
        if negated:
            i += 1
        chars: set[str] | None = set()
        first = True
        while True:
            if i >= len(self.p):
                raise _Unknown
            ch = self.p[i]
            if ch == "]" and not first:
                break
            first = False
            if ch == "[" or self.p[i:i + 2] in ("--", "&&", "||", "~~"):
                raise _Unknown  # version 1's nested sets and set operations
            value, i = self.class_item(i)
            if self.p[i:i + 1] == "-" and self.p[i + 1:i + 2] not in ("]", ""):
                end, i = self.class_item(i + 1)
                if chars is not None and value is not None and end is not None and \
                        0 <= ord(end) - ord(value) < MAX_CLASS:
                    chars.update(chr(c) for c in range(ord(value), ord(end) + 1))
                else:
                    chars = None
            elif chars is not None and value is not None:
                chars.add(value)
            elif value is None:
                chars = None
        self.i = i + 1
        if negated or chars is None or len(chars) > MAX_CLASS:
            return _ANY
        return _Info(frozenset(fold(c) for c in chars))

    def class_item(self, i: int) -> tuple[str | None, int]:
        r"""The character a class member at ``i`` stands for (``None``: one of many, as ``\d``
        or ``\p{L}``), and where the next member starts."""
        ch = self.p[i]
        if ch != "\\":
            return ch, i + 1
        nxt = self.p[i + 1:i + 2]
        if not nxt:
            raise _Unknown
        if nxt in _CHAR_ESCAPES:
            return _CHAR_ESCAPES[nxt], i + 2
        if nxt in "xuU0":
            raise _Unknown  # a code point inside a class: not worth reading
        if nxt.isalnum():
            if nxt in "pPN" and self.p[i + 2:i + 3] == "{":
                close = self.p.find("}", i)
                if close < 0:
                    raise _Unknown
                return None, close + 1
            return None, i + (3 if nxt in "pP" else 2)  # "\pL": a one-letter property
        return nxt, i + 2  # an escaped sign stands for itself

    def group(self) -> _Info:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise _Unknown
        p, i = self.p, self.i + 1
        zero_width = positive = False
        if p.startswith("?", i):
            head = p[i + 1:i + 3]
            if head[:1] in ("=", "!") or head in ("<=", "<!"):
                zero_width = True  # a look-around consumes nothing
                positive = head[:1] == "=" or head == "<="
                i += 2 if head[:1] in ("=", "!") else 3
            elif head[:1] in (":", ">", "|"):
                i += 2
            elif head.startswith("P<") or (head[:1] == "<" and head[1:2] not in ("=", "!")):
                close = p.find(">", i)
                if close < 0:
                    raise _Unknown
                i = close + 1
            elif head[:1] == "#":  # a comment, which may hold an escaped ")"
                close = _comment_end(p, i + 2)
                self.i = close + 1
                self.depth -= 1
                return _NOTHING
            else:  # inline flags: "(?i)", "(?-i:...)"; verbose mode changes what spaces mean
                found = _FLAGS.match(p, i + 1)
                assert found is not None  # it matches the empty string
                flags, j = found.group(), found.end()
                # "(?1)", "(?-1)", "(?R)", "(?&name)" call groups; "(?(1)…)" is a condition
                if j >= len(p) or p[j] not in ":)" or "x" in flags or not flags:
                    raise _Unknown
                if p[j] == ")":
                    self.i = j + 1
                    self.depth -= 1
                    return _NOTHING
                i = j + 1
        self.i = i
        inner = self.alternation()
        if self.peek() != ")":
            raise _Unknown
        self.i += 1
        self.depth -= 1
        if zero_width:  # a positive look-around's text is in the caption, if not in the match
            return _Info(frozenset({""}), inner.all() if positive else ())
        return inner

    def peek(self) -> str:
        return self.p[self.i:self.i + 1]


# A set holding a single letter or digit is met by nearly every caption: it is left out (the
# pattern's other sets still count), and the scan spared matching it.
def _telling(strings: frozenset[str]) -> bool:
    return not any(len(s) == 1 and s.isalnum() for s in strings)


# Sets of literals, every one of which must have a literal in a caption a pattern matches.
Needs = tuple[tuple[str, ...], ...]
# Ways a pattern can match, each with what it needs: a caption must meet one of them.
Options = tuple[Needs, ...]


def _parsed(pattern: str) -> _Info | None:
    if len(pattern) > MAX_PATTERN:
        return None
    try:
        return _Parser(pattern).parse()
    except (_Unknown, IndexError, RecursionError, ValueError, OverflowError):
        return None  # OverflowError, ValueError: a code point or a number out of range


def _kept(needs: Iterable[frozenset[str]]) -> Needs:
    """The telling sets, each without strings that hold another of the set ("link" covers
    "links"), longest strings first."""
    out = []
    for need in needs:
        if _telling(need):
            kept = [s for s in need if not any(o != s and o in s for o in need)]
            out.append(tuple(sorted(kept, key=lambda s: (-len(s), s))))
    return tuple(out)


def requirements(pattern: str) -> Needs | None:
    """Sets of folded literals such that every match of ``pattern`` holds one literal of each
    set; ``None`` when none is known (or none would tell anything)."""
    info = _parsed(pattern)
    return (_kept(info.all()) or None) if info is not None else None


def options(pattern: str) -> Options | None:
    """The ways ``pattern`` can match (its top-level branches), each with the sets of literals
    it needs: a caption meeting none of them cannot match. ``None`` when not known."""
    info = _parsed(pattern)
    found = info.options() if info is not None else None
    if found is None:
        return None
    kept = tuple(_kept(needs) for needs in found)
    return None if not all(kept) else tuple(dict.fromkeys(kept))


def required_literals(pattern: str) -> tuple[str, ...] | None:
    """Folded literals one of which every match of ``pattern`` holds (the most telling such
    set); ``None`` when not known."""
    found = requirements(pattern)
    return found[0] if found else None


class LiteralScan:
    """Which of many literals occur in a caption: one Aho–Corasick pass over its folded text."""

    def __init__(self, groups: Iterable[Sequence[str]]):
        self._literals = tuple(sorted({lit for group in groups for lit in group}))
        self._automaton: Any = None
        if self._literals:
            automaton = ahocorasick.Automaton()
            for index, literal in enumerate(self._literals):
                automaton.add_word(literal, index)
            automaton.make_automaton()
            self._automaton = automaton

    @property
    def literals(self) -> tuple[str, ...]:
        return self._literals

    def found(self, text: str) -> set[int]:
        """Indexes (into ``literals``) of the literals that occur in ``text``."""
        if self._automaton is None:
            return set()
        return {index for _, index in self._automaton.iter(fold(text))}

    def present(self, text: str) -> frozenset[str]:
        return frozenset(self._literals[i] for i in self.found(text))


class Screen:
    """Which of many patterns can match a caption, from each pattern's ``options``: one literal
    scan, then only the patterns with a way to match whose every set of literals has one in the
    caption (and those whose literals are not known)."""

    def __init__(self, ways: Sequence[Options | None]):
        self.scan = LiteralScan(group for options in ways for needs in options or ()
                                for group in needs)
        index = {literal: i for i, literal in enumerate(self.scan.literals)}
        self._always = tuple(k for k, options in enumerate(ways) if not options)
        # A way is looked at when a literal of its first (most telling) set occurs; its other
        # sets are then checked, as bit masks of literals, against the literals found.
        first: list[list[tuple[int, tuple[int, ...]]]] = [[] for _ in index]
        for k, options in enumerate(ways):
            for needs in options or ():
                rest = tuple(sum(1 << index[lit] for lit in group) for group in needs[1:])
                for literal in needs[0]:
                    first[index[literal]].append((k, rest))
        self._first = tuple(tuple(ks) for ks in first)

    def candidates(self, text: str) -> list[int]:
        """The patterns (indexes, in order) that may match ``text``."""
        found = self.scan.found(text)
        if not found:
            return list(self._always)
        mask = 0
        for i in found:
            mask |= 1 << i
        selected = set(self._always)
        first = self._first
        for i in found:
            for k, rest in first[i]:
                if k in selected:
                    continue
                for group in rest:
                    if not mask & group:
                        break
                else:
                    selected.add(k)
        return sorted(selected)
