"""The literal pre-scan may only skip a pattern that cannot match: checked on hand-made patterns,
on every shipped pattern against every caption we have (our corpus and the rules' annotated
captions), on generated text, and by comparing whole checks with and without it."""

from __future__ import annotations

import json
import unicodedata
from functools import cache
from pathlib import Path

import pytest
import regex
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from skjult.authoring.testing import parse_cases
from skjult.caption import new_pipeline, prepare
from skjult.checker import Checker
from skjult.rules.pack import builtin_root
from skjult.rules.prescan import (
    LiteralScan,
    Screen,
    fold,
    options,
    required_literals,
    requirements,
)
from skjult.rules.vocabulary import SIMPLE_CASE, Vocabulary

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize(("pattern", "literals"), [
    (r"\bvind\s+en\b", {"vind"}),
    (r"\b(?:rabat|promo)?(?:kode|koden|code)\s*:", {"kode", "code"}),  # "kode" covers "koden"
    (r"(?<![\w@])@[\p{L}_.]+", {"@"}),
    (r"\blinks?\b", {"link"}),  # the optional last letter is left out
    (r"\bTAKKET\s+til", {"takket"}),  # folded
    (r"foo|\bbar\b", {"foo", "bar"}),
    (r"(?-f)\b(?:giveaway|vind\s+(?:en|et))\b", {"giveaway", "vind"}),
    (r"\b(?:i|på)\s+butikken", {"butikken"}),  # the most telling piece, wherever it is
    (r"[A-Z]{3}\d", None),
    (r"\b(?:i|a)\s+\w+", None),  # single letters tell nothing
    (r"(?:a|b)*kode", {"kode"}),  # after an optional group, what follows is still required
    (r"(?:a|b)+kode", {"kode"}),
    (r"\d+\s*%", {"%"}),
    (r"1[3-7]\s*\+", {"13", "14", "15", "16", "17"}),  # a small class multiplied out
    (r"[^a]bc", {"bc"}),  # a negated class is some character
    (r"(?i:REKLAME)|(?-i:Ad)\b", {"reklame", "ad"}),
    (r"(?P<x>spons)(?:oreret)?", {"spons"}),
    (r"\x41B", {"ab"}),  # a code point is its character
    (r"a\.b", {"a.b"}),
    (r"(?#a comment)kode", {"kode"}),
    (r"(?x) k o d e", None),  # verbose mode: spaces mean nothing; not read
    (r"(?:kode){e<=1}", None),  # fuzzy matching: not read
    (r"[[a-z]--[aeiou]]x", None),  # version 1 set operations: not read
    (r"(kode)|", None),  # an empty branch needs nothing
    (r"ab)", None),  # unbalanced
    (r"(?(1)a|b)", None),  # a conditional
])
def test_required_literals(pattern: str, literals: set[str] | None) -> None:
    found = required_literals(pattern)
    assert (set(found) if found is not None else None) == literals


def test_every_set_a_pattern_needs_is_kept() -> None:
    needs = requirements(r"\b(?:reklame|annonce)\s+(?:for|med)\s+\p{L}")
    assert needs is not None
    assert [set(n) for n in needs] == [{"reklame", "annonce"}, {"for", "med"}]


def test_a_positive_look_around_needs_its_text_and_a_negative_one_nothing() -> None:
    def sets(pattern: str) -> set[frozenset[str]]:
        return {frozenset(n) for n in requirements(pattern) or ()}

    assert sets(r"ab(?=cd)") == {frozenset({"ab"}), frozenset({"cd"})}
    assert sets(r"(?<=xy)ab") == {frozenset({"ab"}), frozenset({"xy"})}
    assert sets(r"(?<!xy)ab(?!cd)") == {frozenset({"ab"})}


def test_each_way_to_match_keeps_its_own_needs() -> None:
    assert options(r"(?-f)(?:\bingen\s+reklame\b)|(?:\bskjult\s+reklame\b)") == (
        (("reklame",), ("ingen",)), (("reklame",), ("skjult",)))
    assert options(r"kode|\w+") is None  # one way needs nothing
    assert options(r"(?:a1|b2|c3|d4|e5|f6|g7|h8|i9|j10|k11|l12|m13|n14|o15|p16|q17)x") is not None
    screen = Screen([options(r"(?:ingen\s+reklame)|(?:skjult\s+reklame)")])
    assert screen.candidates("ingen reklame her") == [0]
    assert screen.candidates("reklame for Luma") == []  # neither way's words


def test_literal_scan_finds_literals_inside_others() -> None:
    scan = LiteralScan([("kode", "koden"), ("@",)])
    assert scan.present("Brug KODEN nu") == {"kode", "koden"}
    assert scan.present("ingen her") == frozenset()
    assert LiteralScan([]).present("noget") == frozenset()


def test_the_screen_wants_one_literal_of_every_set() -> None:
    screen = Screen([((("reklame",), ("for", "med")),), None, ((("kode",),),)])
    assert screen.candidates("Reklame for Luma") == [0, 1]
    assert screen.candidates("reklame") == [1]  # "for"/"med" missing
    assert screen.candidates("KODE og reklame med") == [0, 1, 2]
    assert screen.candidates("ingenting") == [1]


def test_the_dotted_capital_i_folds_as_the_patterns_fold_it() -> None:
    from skjult.model import Verdict

    assert LiteralScan([("vind",)]).present("Vİnd et gavekort") == {"vind"}
    assert LiteralScan([("vind",)]).present("Vınd et gavekort") == {"vind"}
    assert Checker("dk").check("Vİnd et gavekort til @butikken! følg os og tag en ven").verdict \
        is Verdict.VIOLATION


def _cased() -> list[str]:
    """Every character that has another case or a case folding (a few thousand)."""
    chars = []
    for code in range(0x110000):
        ch = chr(code)
        if unicodedata.category(ch) == "Cs":
            continue
        if ch.lower() != ch or ch.upper() != ch or ch.casefold() != ch:
            chars.append(ch)
    return chars


def test_whatever_a_pattern_matches_to_a_letter_folds_to_that_letters_folding() -> None:
    """The scan compares folded text: a case-insensitive pattern's match of a literal letter
    must fold to the letter's own folding, or a caption would be skipped that matches."""
    cased = _cased()
    letters = sorted({ch for pattern in _shipped_patterns() for ch in pattern if ch.isalpha()}
                     | set("abcdefghijklmnopqrstuvwxyzæøåäöüéßi"))
    bad = []
    for letter in letters:
        pattern = regex.compile(SIMPLE_CASE + regex.escape(letter), regex.V1 | regex.IGNORECASE)
        bad += [(letter, other) for other in cased
                if pattern.fullmatch(other) and fold(letter) not in fold(other)]
    assert bad == []


@cache
def _shipped_patterns() -> tuple[str, ...]:
    out = []
    for jurisdiction in ("dk", "uk", "us"):
        vocabulary = Checker(jurisdiction).runner.judge.vocabulary
        out += [p.pattern for _, p in vocabulary._patterns]
        out += [t.compiled_exclude.pattern for t in vocabulary._excluding]
    return tuple(dict.fromkeys(out))


@cache
def captions() -> tuple[str, ...]:
    texts = [json.loads(line)["caption"] for f in sorted((ROOT / "corpus").glob("*.jsonl"))
             for line in f.open(encoding="utf-8") if line.strip()]
    texts += [case.caption for f in sorted(builtin_root().rglob("*.test.txt"))
              for case in parse_cases(f)]
    return tuple(prepare(t).text for t in texts)


def _compiled() -> list[tuple[str, object]]:
    return [(p, regex.compile(p, regex.V1 | regex.IGNORECASE)) for p in _shipped_patterns()]


def test_the_prescan_never_skips_a_pattern_that_matches() -> None:
    compiled = _compiled()
    screen = Screen([options(p) for p, _ in compiled])
    checked = 0
    for text in captions():
        allowed = set(screen.candidates(text))
        for k, (source, pattern) in enumerate(compiled):
            if pattern.search(text):  # type: ignore[attr-defined]
                checked += 1
                assert k in allowed, (source, text)
    assert checked > 1000  # the test saw real matches


@pytest.mark.parametrize("jurisdiction", ["dk", "us", "uk"])
def test_hits_are_the_same_with_and_without_the_prescan(jurisdiction: str) -> None:
    """Every term set's hits, excludes applied, on every caption we have."""
    termsets = Checker(jurisdiction).ruleset.termsets.values()
    nlp = new_pipeline("da")
    screened, searched = Vocabulary(termsets, nlp), Vocabulary(termsets, nlp, prescan=False)
    everything = list(range(len(searched._patterns) + len(searched._excluding)))
    assert searched._screen.candidates("x") == everything  # without: every pattern, always
    assert len(screened._screen.candidates("x")) < len(everything) / 4
    texts = captions()
    for text, doc in zip(texts, nlp.tokenizer.pipe(texts), strict=True):
        assert screened.find(doc, text, []) == searched.find(doc, text, []), text


# Generated text built from the patterns' own pieces (words, signs, digits) and letters whose
# case folds oddly, so that many generated captions do match something.
_PIECES = ["reklame", "annonce", "kode", "rabat", "spons", "samarbejde", "vind", "@", "#", "%",
           "kr", "for", "med", "af", "ad", "link", " ", " ", "\n", "|", ":", "-", ",", ".", "!",
           "?", "1", "5", "13", "18", "år", "İ", "ı", "ß", "ẞ", "K", "ſ", "Σ", "ς", "AD", "Reklame",
           "KODE", "x", "e", "n", "et", "gratis", "tak", "til", "ikke", "betalt", "https://", "www."]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(_PIECES), min_size=1, max_size=30))
def test_generated_text_never_loses_a_match(pieces: list[str]) -> None:
    text = "".join(pieces)
    compiled = _compiled_once()
    allowed = set(_screen_once().candidates(text))
    for k, (source, pattern) in enumerate(compiled):
        if pattern.search(text):  # type: ignore[attr-defined]
            assert k in allowed, (source, text)


@cache
def _compiled_once() -> list[tuple[str, object]]:
    return _compiled()


@cache
def _screen_once() -> Screen:
    return Screen([options(p) for p, _ in _compiled_once()])


def test_every_case_class_of_the_regex_module_folds_to_one_string() -> None:
    """Whatever the regex module takes as the same letter ignoring case, ``fold`` makes the same
    text: checked over every code point with the module's own case tables (which also says
    whether skjult.rules.casefolds needs regenerating for a newer regex)."""
    from regex import _regex

    differing = []
    for code in range(0x110000):
        if 0xD800 <= code < 0xE000:
            continue
        cases = _regex.get_all_cases(regex.IGNORECASE, code)
        if len(cases) > 1 and len({fold(chr(c)) for c in cases}) > 1:
            differing.append([hex(c) for c in cases])
    assert differing == []
