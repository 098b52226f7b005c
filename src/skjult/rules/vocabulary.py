"""Term sets: the named words, phrases, token patterns, regexes and URL patterns rules refer to.

A term set is data (YAML); ``Vocabulary`` compiles all of a pack's sets once into a word index,
a spaCy ``PhraseMatcher`` and ``Matcher``, and ``regex`` patterns run with a time-out, and then
finds every hit in a caption.

Limits, so that no pack and no caption can hang a run or exhaust memory (a pack breaking one is
refused with a ``RuleError`` naming file and line; a pattern stopped by its time-out is a finding):

* braces: a word may expand to at most ``MAX_FORMS_PER_WORD`` (1,000) forms, a term set's words
  to ``MAX_FORMS_PER_SET`` (10,000); a pack's words with their #tag/@handle forms are at most
  ``MAX_WORDS_PER_PACK`` (100,000);
* time: a pattern of a pack the user adds gets ``REGEX_TIMEOUT`` (50 ms) per caption; a
  built-in pattern (tested to run in linear time) ``BUILTIN_TIMEOUT`` (1 s), checked on captions
  of ``BUILTIN_TIMEOUT_FROM`` (5,000) characters or more;
* token patterns: no ``REGEX`` (spaCy runs it without a time-out), no unbounded repeats (``+``,
  ``*``, ``{n,}``), bounded ones at most ``MAX_TOKEN_REPEAT`` (20) times;
* a regex nested too deeply for the ``regex`` module to compile is refused.

YAML anchors and aliases are refused (``skjult.rules.yamlsource``); stretches of more than 5,000
characters without white space are tokenized in pieces (``skjult.caption.LONG_STRETCH``).
"""

from __future__ import annotations

import bisect
import dataclasses
import itertools
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import regex

from skjult.errors import RuleError, did_you_mean
from skjult.model import Strength
from skjult.rules.prescan import Options, Screen, options
from skjult.rules.yamlsource import Located

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

KINDS = ("label", "weak-label", "signal", "self-declared", "marker")
STRENGTHS = {s.label: s for s in Strength}
KEYS = {
    "id", "kind", "title", "lang", "strength", "words", "hashtags", "phrases", "patterns",
    "regex", "urls", "exclude", "cancels", "respected_below", "case_sensitive", "description",
    "source", "mentions", "requires_any", "within", "specific", "group", "include", "echo",
    "skip_quoted",
}
ECHO_KEYS = {"affixes", "min_length", "match"}
ECHO_MATCHES = ("exact", "extended", "any")
# Quotation marks around a word say it is talked about, not used: »reklame«, "#ad", 'spons'.
OPENING_QUOTES = frozenset("\"'«»“”„‘’‚")
CLOSING_QUOTES = frozenset("\"'«»“”‘’")
REGEX_TIMEOUT = 0.05  # seconds per pattern and caption; a hang becomes a finding, not a stall
# The built-in packs' patterns are tested to run in linear time (tests/test_hostile_patterns.py)
# and get a generous time-out of their own, checked on long captions only: on a caption under
# BUILTIN_TIMEOUT_FROM characters the slowest of them needs a few milliseconds at worst, and the
# check itself would slow every caption's matching by a third.
BUILTIN_TIMEOUT = 1.0
BUILTIN_TIMEOUT_FROM = 5_000
# Brace forms a word may expand to ("samarbejde{,t,r}" is 3), and all words of a term set
# together: "{a,b}{a,b}{a,b}..." would otherwise make millions of forms and gigabytes of matcher.
MAX_FORMS_PER_WORD = 1_000
MAX_FORMS_PER_SET = 10_000
# Words (with their #tag and @handle forms) of all term sets of one pack: the built-in packs
# have about a thousand.
MAX_WORDS_PER_PACK = 100_000

# Where URLs are in a caption (with or without a scheme): what the pattern
#   (?:https?://|www\.)\S+|\b[\w-]+(?:\.[\w-]+)*\.(?:com|dk|...|no)/\S*
# matches (``URL_PATTERN``), found in linear time by ``find_urls``. The pattern itself,
# searched, is quadratic or worse on a long run of ``a.a.a.a…`` (each dot a new start, each start
# read to the end of the run): a 50 KB caption took over a minute.
TLDS = "com|dk|net|org|io|me|it|to|us|link|ly|co|se|no"
URL_PATTERN = rf"(?:https?://|www\.)\S+|\b[\w-]+(?:\.[\w-]+)*\.(?:{TLDS})/\S*"
_SCHEME = regex.compile(r"(?:https?://|www\.)\S", regex.IGNORECASE)
# A run of word characters, dots and dashes right before a slash (read once: it starts where
# the previous character is none of them).
_HOST = regex.compile(r"(?<![\w.-])[\w.-]++(?=/)", regex.IGNORECASE)
_TLD = regex.compile(rf"(?:{TLDS})", regex.IGNORECASE)
_HOST_START = regex.compile(r"\b[\w-]", regex.IGNORECASE)
_TO_SPACE = regex.compile(r"\S*")


def find_urls(text: str) -> Iterator[tuple[int, int]]:
    """Spans of ``URL_PATTERN``'s matches in ``text`` (what ``finditer`` would give), in time
    linear in the length of the text.

    Every match runs to the end of its run of non-space characters, so there is at most one per
    run, starting at the first place in it where either branch matches. The first branch starts
    at a scheme or ``www.``. The second needs ``.tld/`` where a run of word characters, dots and
    dashes meets a slash, and starts at the first word boundary in that run that is not before a
    ``..`` and is before the last dot."""
    starts = [m.start() for m in _SCHEME.finditer(text)]
    for m in _HOST.finditer(text):
        a, b = m.span()
        last = text.rfind(".", a, b)
        if last < 0 or not _TLD.fullmatch(text, last + 1, b):
            continue
        double = text.rfind("..", a, last + 1)
        first = _HOST_START.search(text, a if double < 0 else double + 2, last)
        if first is not None:
            starts.append(first.start())
    end = -1
    for start in sorted(starts):
        if start < end:
            continue  # inside the previous match
        match = _TO_SPACE.match(text, start)
        assert match is not None
        end = match.end()
        yield start, end


def _choices(word: str) -> list[list[str]]:
    parts = regex.split(r"\{([^{}]*)\}", word)
    return [[p] if i % 2 == 0 else p.split(",") for i, p in enumerate(parts)]


_COUNTED = 10**12  # counting stops above this: "{a,b}" * 20000 has a 6,000-digit count


def count_forms(word: str) -> int:
    """How many forms ``expand`` makes of ``word`` (up to just over 10**12), without making
    them."""
    count = 1
    for choice in _choices(word):
        count *= len(choice)
        if count > _COUNTED:
            return _COUNTED + 1
    return count


def _amount(count: int) -> str:
    return f"{count:,}" if count <= _COUNTED else f"more than {_COUNTED:,}"


def expand(word: str, limit: int | None = MAX_FORMS_PER_WORD) -> list[str]:
    """``"samarbejde{,t,r}"`` → ``["samarbejde", "samarbejdet", "samarbejder"]``.

    Raises ``ValueError`` when that would be more than ``limit`` forms."""
    count = count_forms(word)
    if limit is not None and count > limit:
        raise ValueError(f"{word[:60]!r} expands to {_amount(count)} forms, more than {limit:,}")
    return ["".join(combo) for combo in itertools.product(*_choices(word))]


def word_forms(word: str, *, hashtags: bool = True, mentions: bool = False) -> list[str]:
    """A word as it may be written: itself, ``#word``, ``@word`` (a tag stays as it is)."""
    if word.startswith(("#", "@")):
        return [word]
    return [word, *(["#" + word] if hashtags else []), *(["@" + word] if mentions else [])]


@dataclass(frozen=True)
class Echo:
    """Hashtags that repeat the name of an account the caption tags (``@lumaskin … #lumaskinglow``).

    A handle's name is compared without ``.``/``_`` and without ``affixes`` (parts of handles
    that are not the name: ``dk``, ``official``, ...); trailing digits of a hashtag are ignored.
    ``match``: ``exact`` (``#lumaskin``), ``extended`` (a longer tag that starts with the name,
    ``#lumaskinglow``) or ``any`` (the name anywhere in the tag, ``#madebygoogle``)."""

    affixes: tuple[str, ...] = ()
    min_length: int = 4
    match: str = "any"


@dataclass(frozen=True, slots=True)
class Hit:
    termset: str
    start: int  # offsets into the normalized caption
    end: int


@dataclass(frozen=True)
class TermSet:
    id: str
    kind: str
    title: str
    strength: Strength
    words: tuple[str, ...] = ()
    phrases: tuple[str, ...] = ()
    patterns: tuple[Any, ...] = ()
    regex: tuple[str, ...] = ()
    urls: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    cancels: tuple[str, ...] = ()
    requires_any: tuple[str, ...] = ()  # hits count only if one of these sets occurs too
    within: int | None = None  # ... and, when set, that close (characters between the hits)
    specific: bool = False  # a weak cue telling enough on its own to make a post worth a look
    group: str | None = None  # cues of one group count once when weak cues are added up
    include: tuple[str, ...] = ()  # term sets whose words, phrases, ... this one matches too
    echo: Echo | None = None
    skip_quoted: bool = False  # a hit in quotation marks is a mention, not a use
    respected_below: Strength = Strength.HARD
    case_sensitive: bool = False
    source: str | None = None
    file: str = ""
    line: int | None = None
    # Seconds a pattern may run on one caption. Packs a user adds always have one; the built-in
    # packs' patterns are reviewed and tested to run in linear time, and get BUILTIN_TIMEOUT on
    # captions of BUILTIN_TIMEOUT_FROM characters or more (skjult.rules.pack).
    timeout: float | None = REGEX_TIMEOUT
    timeout_from: int = 0  # captions shorter than this (characters) run without the time-out
    compiled_regex: tuple[Any, ...] = field(default=(), compare=False, repr=False)
    compiled_urls: tuple[Any, ...] = field(default=(), compare=False, repr=False)
    compiled_exclude: Any = field(default=None, compare=False, repr=False)
    # What every match of each of its patterns (and excludes) needs, by pattern text
    # (skjult.rules.prescan): worked out when the pack is loaded, so it is cached with it.
    needs: Mapping[str, Options | None] = field(default_factory=dict, compare=False, repr=False)


def _str_list(doc: Located, path: tuple[Any, ...], value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise RuleError(doc.file, doc.line(*path), f"{path[-1]!s} must be a list of strings")
    return tuple(value)


# Case-insensitive patterns fold case simply (one letter for one letter). The `regex` module's
# version 1 would otherwise fold fully ("ß" = "ss"), which makes a search 10-15 times slower and
# changes nothing for normalized captions.
SIMPLE_CASE = "(?-f)"


def compile_pattern(pattern: str, flags: int) -> Any:
    """``regex.compile`` as term sets need it: version 1, simple case folding."""
    return regex.compile(SIMPLE_CASE + pattern, flags | regex.V1)


def _compile(doc: Located, path: tuple[Any, ...], pattern: str, flags: int) -> Any:
    try:
        return compile_pattern(pattern, flags)
    except (regex.error, ValueError) as exc:  # ValueError: clashing inline flags, e.g. (?V0)
        raise RuleError(doc.file, doc.line(*path), f"pattern {pattern[:200]!r} does not compile: "
                        f"{exc}") from None
    except RecursionError:  # the regex module's parser recurses once per nested group
        raise RuleError(doc.file, doc.line(*path), f"pattern {pattern[:200]!r} nests groups too "
                        "deeply to compile") from None


def _echo(doc: Located, path: tuple[Any, ...], raw: Any, tid: str) -> Echo | None:
    if raw is None:
        return None
    if not isinstance(raw, dict):
        raise RuleError(doc.file, doc.line(*path), f"term set {tid}: echo is a mapping with "
                        f"{', '.join(sorted(ECHO_KEYS))}")
    for key in raw:
        if key not in ECHO_KEYS:
            raise RuleError(doc.file, doc.line(*path, key), f"term set {tid}: unknown key {key!r} "
                            "in echo", did_you_mean(str(key), ECHO_KEYS))
    affixes = _str_list(doc, (*path, "affixes"), raw.get("affixes"))
    min_length = raw.get("min_length", 4)
    if not isinstance(min_length, int) or isinstance(min_length, bool) or min_length < 2:
        raise RuleError(doc.file, doc.line(*path, "min_length"), f"term set {tid}: "
                        "echo.min_length is a number of letters, at least 2")
    match = raw.get("match", "any")
    if match not in ECHO_MATCHES:
        raise RuleError(doc.file, doc.line(*path, "match"), f"term set {tid}: echo.match is one "
                        f"of {', '.join(ECHO_MATCHES)}", did_you_mean(str(match), ECHO_MATCHES))
    return Echo(tuple(a.lower() for a in affixes), min_length, match)


def resolve_includes(termsets: dict[str, TermSet]) -> None:
    """Give each set that ``include``s others their words, phrases, patterns, regexes and URLs.

    One level deep: a set cannot include a set that includes others (no chains, no cycles)."""
    for tid, t in list(termsets.items()):
        if not t.include:
            continue
        for name in t.include:
            other = termsets.get(name)
            if other is not None and other.include:
                raise RuleError(t.file, t.line, f"term set {tid}: {name} includes other sets "
                                "itself; include the sets it includes instead")
    for tid, t in list(termsets.items()):
        if not t.include:
            termsets[tid] = _with_needs(t)
            continue
        parts = []
        for name in t.include:
            other = termsets.get(name)
            if other is None:
                raise RuleError(t.file, t.line, f"term set {tid}: include names unknown term set "
                                f"{name!r}", did_you_mean(name, termsets))
            parts.append(other)
        termsets[tid] = dataclasses.replace(
            t,
            words=t.words + tuple(w for o in parts for w in o.words),
            phrases=t.phrases + tuple(p for o in parts for p in o.phrases),
            patterns=t.patterns + tuple(p for o in parts for p in o.patterns),
            regex=t.regex + tuple(r for o in parts for r in o.regex),
            urls=t.urls + tuple(u for o in parts for u in o.urls),
            compiled_regex=t.compiled_regex + tuple(r for o in parts for r in o.compiled_regex),
            compiled_urls=t.compiled_urls + tuple(u for o in parts for u in o.compiled_urls),
            # the included matchers come with their exceptions
            exclude=t.exclude + tuple(e for o in parts for e in o.exclude),
            compiled_exclude=_joined(t, parts),
            include=(),
        )
        termsets[tid] = _with_needs(termsets[tid])


def _with_needs(termset: TermSet) -> TermSet:
    """The term set with what its patterns need worked out (see ``TermSet.needs``)."""
    patterns = [*termset.compiled_regex, *([termset.compiled_exclude]
                                           if termset.compiled_exclude is not None else [])]
    return dataclasses.replace(termset, needs={p.pattern: options(p.pattern) for p in patterns})


def needs_of(termset: TermSet, pattern: str) -> Options | None:
    """What every match of one of the set's patterns needs: worked out when its pack was loaded,
    or now (a term set made elsewhere: configured brands, tests)."""
    try:
        return termset.needs[pattern]
    except KeyError:
        return options(pattern)


def _joined(termset: TermSet, parts: list[TermSet]) -> Any:
    """One search for the exclusions of a set and the sets it includes (each with its flags)."""
    compiled = [t.compiled_exclude for t in (termset, *parts) if t.compiled_exclude is not None]
    if len(compiled) <= 1:
        return compiled[0] if compiled else None
    def body(c: Any) -> str:
        pattern = c.pattern.removeprefix(SIMPLE_CASE)
        return f"(?:{pattern})" if c.flags & regex.IGNORECASE else f"(?-i:{pattern})"

    try:
        return compile_pattern("|".join(body(c) for c in compiled), regex.IGNORECASE)
    except (regex.error, ValueError, RecursionError) as exc:
        raise RuleError(termset.file, termset.line, f"term set {termset.id}: its exclude patterns "
                        f"and those of {', '.join(p.id for p in parts)} cannot be combined: {exc} "
                        "(leave inline flags such as (?V0) out of them)") from None


def _expanded(doc: Located, path: tuple[Any, ...], raw: Any, tid: str) -> list[str]:
    """A term set's words with their brace forms, within MAX_FORMS_PER_WORD and _PER_SET."""
    words = _str_list(doc, (*path, "words"), raw)
    total = 0
    for i, word in enumerate(words):
        count = count_forms(word)
        total += count
        if count > MAX_FORMS_PER_WORD:
            raise RuleError(doc.file, doc.line(*path, "words", i), f"term set {tid}: {word[:60]!r} "
                            f"expands to {_amount(count)} forms; a word may have at most "
                            f"{MAX_FORMS_PER_WORD:,}", "list the forms, or fewer {...} choices")
        if total > MAX_FORMS_PER_SET:
            raise RuleError(doc.file, doc.line(*path, "words", i), f"term set {tid}: its words "
                            f"expand to more than {MAX_FORMS_PER_SET:,} forms (the limit of a term "
                            "set)", "split it into several term sets")
    return [form for word in words for form in expand(word)]


# Token-pattern operators that repeat a token without bound: spaCy's Matcher then reports every
# run of matching tokens (2,000 words gave two million matches and took five seconds). A bounded
# repeat ("{1,5}") may repeat a token at most MAX_TOKEN_REPEAT times.
_UNBOUNDED_OPS = regex.compile(r"[*+]|\{\s*\d*\s*,\s*\}")
_BOUNDED_OP = regex.compile(r"\{\s*(?:\d*\s*,\s*)?(\d+)\s*\}")
MAX_TOKEN_REPEAT = 20


def _unbounded(pattern: Any) -> str | None:
    """What makes a token pattern unsafe on a long caption, if anything: a ``REGEX`` test
    (spaCy runs it without a time-out) or an unbounded repeat (``+``, ``*``, ``{2,}``). Walked
    without recursion: the YAML may nest deeply."""
    stack = [pattern]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            if any(isinstance(k, str) and k.upper() == "REGEX" for k in item):
                return ("token patterns may not use REGEX (spaCy runs it without a time-out); "
                        "put the expression under regex:, which has one")
            op = item.get("OP")
            if isinstance(op, str) and _UNBOUNDED_OPS.fullmatch(op.strip()):
                return (f"token patterns may not repeat a token without bound (OP {op!r}); "
                        "give the repeat a limit, e.g. OP '{1,5}'")
            bounded = _BOUNDED_OP.fullmatch(op.strip()) if isinstance(op, str) else None
            if bounded and int(bounded.group(1)) > MAX_TOKEN_REPEAT:
                return (f"token patterns may repeat a token at most {MAX_TOKEN_REPEAT} times "
                        f"(OP {op!r})")
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return None


def parse_termset(doc: Located, path: tuple[Any, ...], raw: Any) -> TermSet:
    """Validate one term set from YAML and compile its regexes."""
    if not isinstance(raw, dict):
        raise RuleError(doc.file, doc.line(*path), "a term set must be a mapping")
    for key in raw:
        if key not in KEYS:
            raise RuleError(doc.file, doc.line(*path, key), f"unknown key {key!r} in term set",
                            did_you_mean(str(key), KEYS))
    tid = raw.get("id")
    if not isinstance(tid, str) or not regex.fullmatch(r"[a-z0-9]+(?:[.-][a-z0-9]+)*", tid):
        raise RuleError(doc.file, doc.line(*path, "id"),
                        "term set needs an id like 'dk.label' (lower case, dots and dashes)")
    kind = raw.get("kind")
    if kind not in KINDS:
        raise RuleError(doc.file, doc.line(*path, "kind"), f"term set {tid}: kind must be one of "
                        f"{', '.join(KINDS)}", did_you_mean(str(kind), KINDS))
    strength_name = raw.get("strength", "none")
    if not isinstance(strength_name, str) or strength_name not in STRENGTHS:
        raise RuleError(doc.file, doc.line(*path, "strength"),
                        f"term set {tid}: strength must be one of {', '.join(STRENGTHS)}")
    respected = raw.get("respected_below", "hard")
    if not isinstance(respected, str) or respected not in STRENGTHS:
        raise RuleError(doc.file, doc.line(*path, "respected_below"),
                        f"term set {tid}: respected_below must be one of {', '.join(STRENGTHS)}")
    case_sensitive = bool(raw.get("case_sensitive", False))
    flags = regex.V1 if case_sensitive else regex.V1 | regex.IGNORECASE

    words = [form for expanded in _expanded(doc, path, raw.get("words"), tid)
             for form in word_forms(expanded, hashtags=raw.get("hashtags", True),
                                    mentions=raw.get("mentions", False))]
    patterns = raw.get("patterns") or []
    if not isinstance(patterns, list) or not all(isinstance(p, list) for p in patterns):
        raise RuleError(doc.file, doc.line(*path, "patterns"),
                        f"term set {tid}: patterns must be a list of spaCy token patterns")
    for i, pattern in enumerate(patterns):
        problem = _unbounded(pattern)
        if problem:
            raise RuleError(doc.file, doc.line(*path, "patterns", i), f"term set {tid}: {problem}")
    regexes = _str_list(doc, (*path, "regex"), raw.get("regex"))
    urls = _str_list(doc, (*path, "urls"), raw.get("urls"))
    exclude = _str_list(doc, (*path, "exclude"), raw.get("exclude"))
    cancels = _str_list(doc, (*path, "cancels"), raw.get("cancels"))
    for i, c in enumerate(cancels):
        if c not in KINDS:
            raise RuleError(doc.file, doc.line(*path, "cancels", i),
                            f"term set {tid}: cannot cancel unknown kind {c!r}", did_you_mean(c, KINDS))
    title = raw.get("title", tid)
    requires_any = _str_list(doc, (*path, "requires_any"), raw.get("requires_any"))
    within = raw.get("within")
    if within is not None and (not isinstance(within, int) or isinstance(within, bool)
                               or within < 0 or not requires_any):
        raise RuleError(doc.file, doc.line(*path, "within"), f"term set {tid}: within is a number "
                        "of characters (0 or more) and needs requires_any")
    for key in ("specific", "skip_quoted"):
        if not isinstance(raw.get(key, False), bool):
            raise RuleError(doc.file, doc.line(*path, key), f"term set {tid}: {key} is true or false")
    group = raw.get("group")
    if group is not None and not isinstance(group, str):
        raise RuleError(doc.file, doc.line(*path, "group"), f"term set {tid}: group is a name")
    return TermSet(
        id=tid,
        kind=kind,
        title=str(title),
        strength=STRENGTHS[strength_name],
        words=tuple(words),
        phrases=_str_list(doc, (*path, "phrases"), raw.get("phrases")),
        patterns=tuple(patterns),
        regex=regexes,
        urls=urls,
        exclude=exclude,
        cancels=cancels,
        requires_any=requires_any,
        within=within,
        specific=bool(raw.get("specific", False)),
        group=group,
        include=_str_list(doc, (*path, "include"), raw.get("include")),
        echo=_echo(doc, (*path, "echo"), raw.get("echo"), tid),
        skip_quoted=bool(raw.get("skip_quoted", False)),
        respected_below=STRENGTHS[respected],
        case_sensitive=case_sensitive,
        source=raw.get("source"),
        file=doc.file,
        line=doc.line(*path),
        compiled_regex=tuple(_compile(doc, (*path, "regex"), r, flags) for r in regexes),
        compiled_urls=tuple(_compile(doc, (*path, "urls"), u, regex.V1 | regex.IGNORECASE)
                            for u in urls),
        compiled_exclude=_compile(doc, (*path, "exclude"), "|".join(f"(?:{e})" for e in exclude),
                                  flags) if exclude else None,
    )


class Vocabulary:
    """All term sets of the active packs, compiled once, and the search for their hits."""

    def __init__(self, termsets: Iterable[TermSet], nlp: Language, *, prescan: bool = True):
        from spacy.matcher import Matcher, PhraseMatcher
        from spacy.tokens import Doc

        self.termsets: dict[str, TermSet] = {t.id: t for t in termsets}
        # Words are one token each: matched in C by PhraseMatchers over the tokens' lower-case
        # (or exact) form, instead of a Python loop over every token.
        self._words = PhraseMatcher(nlp.vocab, attr="LOWER")
        self._case_words = PhraseMatcher(nlp.vocab, attr="ORTH")
        self._phrases = PhraseMatcher(nlp.vocab, attr="LOWER")
        # Token patterns: one Matcher per term set, run only when the caption holds a word the
        # set's patterns must start with (a superset test on the text, so nothing is missed).
        self._token_sets: list[tuple[Any, Any]] = []  # (anchor regex or None, Matcher)
        self._nlp = nlp
        for t in self.termsets.values():
            if t.words:
                words = self._case_words if t.case_sensitive else self._words
                words.add(t.id, [Doc(nlp.vocab, words=[w]) for w in dict.fromkeys(t.words)])
            if t.phrases:
                self._phrases.add(t.id, [nlp.make_doc(p) for p in t.phrases])
            if t.patterns:
                matcher = Matcher(nlp.vocab, validate=True)
                try:
                    matcher.add(t.id, list(t.patterns))
                except Exception as exc:  # spaCy raises several types for bad patterns
                    raise RuleError(t.file, t.line, f"term set {t.id}: bad token pattern: "
                                    f"{str(exc).splitlines()[0]}") from exc
                self._token_sets.append((_anchor_regex(t.patterns), matcher))
        for t in self.termsets.values():
            for need in t.requires_any:
                if need not in self.termsets:
                    raise RuleError(t.file, t.line, f"term set {t.id}: requires_any names unknown "
                                    f"term set {need!r}", did_you_mean(need, self.termsets))
        sets = self.termsets.values()
        # The phrase matchers that have something to look for run on every caption.
        self._always: list[Any] = [m for m, used in (
            (self._words, any(t.words and not t.case_sensitive for t in sets)),
            (self._case_words, any(t.words and t.case_sensitive for t in sets)),
            (self._phrases, any(t.phrases for t in sets))) if used]
        self._rank = {tid: i for i, tid in enumerate(self.termsets)}  # the pack's order
        # Each pattern, and each term set's excludes, searched only when the caption holds the
        # literals every match needs (skjult.rules.prescan).
        self._patterns = [(t, p) for t in self.termsets.values() for p in t.compiled_regex]
        self._excluding = [t for t in self.termsets.values() if t.compiled_exclude is not None]
        # (``prescan=False`` searches every pattern on every caption: the tests compare both.)
        def needs(t: TermSet, pattern: str) -> Options | None:
            return needs_of(t, pattern) if prescan else None

        self._screen = Screen([needs(t, p.pattern) for t, p in self._patterns]
                              + [needs(t, t.compiled_exclude.pattern) for t in self._excluding])
        self._url_sets = [t for t in self.termsets.values() if t.compiled_urls]
        self._echo_sets = [t for t in self.termsets.values() if t.echo is not None]

    def find(self, doc: Doc, text: str, timeouts: list[str]) -> dict[str, list[Hit]]:
        """Every hit of every term set in one caption, excludes applied, sorted by position.

        Term sets whose pattern was stopped by the time-out are added to ``timeouts``."""
        found: dict[str, list[Hit]] = {}

        def add(tid: str, start: int, end: int) -> None:
            found.setdefault(tid, []).append(Hit(tid, start, end))

        strings = self._nlp.vocab.strings
        matchers = list(self._always)
        for anchor, matcher in self._token_sets:
            if anchor is None or anchor.search(text):
                matchers.append(matcher)
        for matcher in matchers:
            for match_id, s, e in matcher(doc):
                start = doc[s].idx
                last = doc[e - 1]
                add(strings[match_id], start, last.idx + len(last))
        size = len(text)

        def limit(t: TermSet) -> float | None:
            return t.timeout if size >= t.timeout_from else None

        count = len(self._patterns)
        screened = self._screen.candidates(text)
        excluding = {self._excluding[k - count].id for k in screened if k >= count}
        for k in screened:
            if k >= count:
                break
            t, pattern = self._patterns[k]
            try:
                for m in pattern.finditer(text, timeout=limit(t)):
                    if m.end() > m.start():
                        add(t.id, m.start(), m.end())
            except TimeoutError:
                timeouts.append(t.id)
        if self._url_sets and ("/" in text or "www." in text.lower()):  # what every URL holds
            for start, end in find_urls(text):
                url = text[start:end]
                for t in self._url_sets:
                    try:
                        if any(p.search(url, timeout=limit(t)) for p in t.compiled_urls):
                            add(t.id, start, end)
                    except TimeoutError:
                        timeouts.append(t.id)
        if self._echo_sets and "@" in text and "#" in text:
            for t in self._echo_sets:
                assert t.echo is not None
                for start, end in echoes(text, t.echo):
                    add(t.id, start, end)
        for tid, hits in found.items():
            termset = self.termsets[tid]
            if termset.skip_quoted:
                hits[:] = [h for h in hits if not _quoted(text, h)]
            exclude = termset.compiled_exclude
            if exclude is not None and tid in excluding:
                try:
                    spans = [(m.start(), m.end())
                             for m in exclude.finditer(text, timeout=limit(termset))]
                except TimeoutError:
                    timeouts.append(tid)
                    spans = []
                hits[:] = _outside(hits, spans)
            hits.sort(key=lambda h: (h.start, h.end))
        # A hit that needs company ("tilsendt" counts as a gift only with a brand named) is
        # dropped when none of the sets it needs occurs.
        for tid in list(found):
            termset = self.termsets[tid]
            needs = termset.requires_any
            if not needs:
                continue
            company = [h for n in needs for h in found.get(n, ())]
            if termset.within is None:
                if not company:
                    found[tid] = []
                continue
            found[tid] = _near(found[tid], company, termset.within)
        # In the pack's order of term sets, so results never depend on the matchers' order.
        rank = self._rank
        return {tid: _dedupe(found[tid]) for tid in sorted(found, key=rank.__getitem__)
                if found[tid]}


def _outside(hits: list[Hit], spans: list[tuple[int, int]]) -> list[Hit]:
    """The hits no span contains. ``finditer`` spans are sorted and do not overlap, so only the
    last span starting at or before a hit can contain it (log n per hit, not n)."""
    if not spans:
        return hits
    starts = [a for a, _ in spans]
    kept = []
    for h in hits:
        i = bisect.bisect_right(starts, h.start) - 1
        if i < 0 or spans[i][1] < h.end:
            kept.append(h)
    return kept


def overlapping(hits: list[Hit], spans: list[Hit]) -> list[Hit]:
    """The hits that share at least one character with a span."""
    return _near(hits, spans, -1)


def _near(hits: list[Hit], company: list[Hit], reach: int) -> list[Hit]:
    """The hits with a companion hit at most ``reach`` characters away, in n log n time (a
    caption with thousands of hits and companions must not take quadratic time)."""
    if not company:
        return []
    # A companion o is close enough when o.start <= h.end + reach and o.end >= h.start - reach:
    # among the companions that start early enough, the latest end decides (a prefix maximum).
    company = sorted(company, key=lambda o: o.start)
    starts = [o.start for o in company]
    latest_end = list(itertools.accumulate((o.end for o in company), max))
    kept = []
    for h in hits:
        count = bisect.bisect_right(starts, h.end + reach)
        if count and latest_end[count - 1] >= h.start - reach:
            kept.append(h)
    return kept


def _quoted(text: str, hit: Hit) -> bool:
    return (hit.start > 0 and hit.end < len(text) and text[hit.start - 1] in OPENING_QUOTES
            and text[hit.end] in CLOSING_QUOTES)


_HANDLE = regex.compile(r"(?<![\w@])@([\p{L}\p{N}_.]*[\p{L}\p{N}_])")
_HASHTAG = regex.compile(r"(?<![\w#&])#([\p{L}\p{N}_]+)")
_SEPARATORS = regex.compile(r"[._]+")


# A caption with more tags than this is a wall of tags, not a post: only the first ones are
# compared, so the comparison stays bounded (handles x hashtags) on hostile input.
ECHO_HANDLES, ECHO_HASHTAGS, ECHO_NAME = 30, 60, 40


def _names(handle: str, echo: Echo) -> set[str]:
    """What a handle's owner may be called in a hashtag: ``solbaer.drinks`` → solbaerdrinks and
    solbaer; ``lumaskin_dk`` → lumaskindk and lumaskin (without the affixes, glued or not)."""
    parts = [p for p in _SEPARATORS.split(handle.lower().rstrip("0123456789")) if p]
    names = {"".join(parts), "".join(p for p in parts if p not in echo.affixes)}
    names.update(p for p in parts if p not in echo.affixes and len(p) > echo.min_length)
    for name in list(names):
        for affix in echo.affixes:  # glued affixes: lumaskindk, officiallumaskin
            if name.endswith(affix):
                names.add(name[: -len(affix)])
            if name.startswith(affix):
                names.add(name[len(affix):])
    return {n for n in names if len(n) >= echo.min_length}


def echoes(text: str, echo: Echo) -> list[tuple[int, int]]:
    """Spans of the hashtags that repeat the name of an account tagged in ``text``.

    *exact*: the tag is a name, or a name cut short (``#mrsmeyers`` for ``@mrsmeyersclean``);
    *extended*: a longer tag that starts with a name (``#lumaskinglow``; a fan's
    ``#letsgododgers`` puts words before the name and is not one). Trailing digits (a year, a
    handle's number) are left out: ``#roskildefestival2025`` repeats ``@roskildefestival``."""
    names: set[str] = set()
    for m in itertools.islice(_HANDLE.finditer(text), ECHO_HANDLES):
        names |= _names(m.group(1)[:ECHO_NAME], echo)
    if not names:
        return []
    out = []
    for m in itertools.islice(_HASHTAG.finditer(text), ECHO_HASHTAGS):
        tag = m.group(1)[:ECHO_NAME * 2].lower().replace("_", "")
        forms = {tag, tag.rstrip("0123456789")}
        exact = any(f in names or (len(f) > echo.min_length and any(f in n for n in names))
                    for f in forms)
        if exact:
            wanted = echo.match != "extended"
        elif echo.match == "extended":
            wanted = any(f.startswith(n) for f in forms for n in names)
        else:  # a name inside a longer tag: short names ("line" in #finelinetattoo) say little
            wanted = echo.match == "any" and any(
                n in f and (f.startswith(n) or len(n) > echo.min_length + 1)
                for f in forms for n in names)
        if wanted:
            out.append((m.start(), m.end()))
    return out


_EXACT_KEYS = ("ORTH", "TEXT")  # the token's text as written
_LOWER_KEYS = ("LOWER", "NORM")  # its lower-case form


def _anchor(pattern: list[dict[str, Any]]) -> tuple[set[str], bool] | None:
    """The words a token pattern's first token must be, and whether case matters; ``None`` when
    it can be anything (a regex, another attribute, an optional or negated first token)."""
    if not pattern:
        return None
    first = pattern[0]
    if first.get("OP") not in (None, "+", "1"):
        return None
    for key in (*_EXACT_KEYS, *_LOWER_KEYS):
        value = first.get(key)
        if isinstance(value, dict) and set(value) == {"IN"}:
            value = value["IN"]
        if isinstance(value, str):
            value = [value]
        if isinstance(value, list) and value and all(isinstance(v, str) for v in value):
            exact = key in _EXACT_KEYS
            return ({v if exact else v.lower() for v in value}, exact)
    return None


def _anchor_regex(patterns: Iterable[Any]) -> Any:
    """A search for the words any of the patterns must start with, or ``None`` (always run).

    A token never has a letter right before or after it inside the same run of letters, so the
    words are looked for between non-letters."""
    exact: set[str] = set()
    folded: set[str] = set()
    for pattern in patterns:
        anchor = _anchor(pattern)
        if anchor is None:
            return None
        (exact if anchor[1] else folded).update(anchor[0])
    parts = [regex.escape(w) for w in sorted(exact, key=len, reverse=True)]
    parts += [f"(?i:{regex.escape(w)})" for w in sorted(folded, key=len, reverse=True)]
    return compile_pattern(r"(?<!\p{L})(?:" + "|".join(parts) + r")(?!\p{L})", 0)


def _dedupe(hits: list[Hit]) -> list[Hit]:
    """Drop hits of one set that sit inside an earlier, longer hit of the same set."""
    out: list[Hit] = []
    for h in hits:
        if out and out[-1].start <= h.start and h.end <= out[-1].end:
            continue
        if out and h.start == out[-1].start and h.end > out[-1].end:
            out[-1] = h
            continue
        out.append(h)
    return out
