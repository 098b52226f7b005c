"""The literal pre-scan may only skip a pattern that cannot match: checked on every shipped pattern
against every caption we have (the corpus and the rules' annotated captions)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from skjult.authoring.testing import parse_cases
from skjult.caption import prepare
from skjult.checker import Checker
from skjult.rules.pack import builtin_root
from skjult.rules.prescan import LiteralScan, required_literals

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize(("pattern", "literals"), [
    (r"\bvind\s+en\b", ("vind",)),
    (r"\b(?:rabat|promo)?(?:kode|koden|code)\s*:", ("kode", "koden", "code")),
    (r"(?<![\w@])@[\p{L}_.]+", ("@",)),
    (r"\blinks?\b", ("link",)),  # the optional last letter is left out
    (r"\bTak\s+til", ("tak",)),  # folded
    (r"foo|\bbar\b", ("foo", "bar")),
    (r"(?-f)\b(?:giveaway|vind\s+(?:en|et))\b", ("giveaway", "vind")),
    (r"\b(?:i|på)\s+butikken", None),  # a single letter says too little
    (r"[A-Z]{3}\d", None),
    (r"(?:a|b)*kode", ("kode",)),  # after an optional group, what follows is still required
    (r"(?:a|b)+kode", None),  # a group it cannot see past
    (r"\d+\s*%", None),
])
def test_required_literals(pattern: str, literals: tuple[str, ...] | None) -> None:
    assert required_literals(pattern) == literals


def test_literal_scan_finds_literals_inside_others() -> None:
    scan = LiteralScan([("kode", "koden"), ("@",)])
    assert scan.present("Brug KODEN nu") == {"kode", "koden"}
    assert scan.present("ingen her") == frozenset()


def captions() -> list[str]:
    texts = [json.loads(line)["caption"] for f in sorted((ROOT / "corpus").glob("*.jsonl"))
             for line in f.open(encoding="utf-8") if line.strip()]
    texts += [case.caption for f in sorted(builtin_root().rglob("*.test.txt"))
              for case in parse_cases(f)]
    return [prepare(t).text for t in texts]


@pytest.mark.parametrize("jurisdiction", ["dk", "us", "uk"])
def test_the_prescan_never_skips_a_pattern_that_matches(jurisdiction: str) -> None:
    vocabulary = Checker(jurisdiction).runner.judge.vocabulary
    texts = captions()
    checked = 0
    for termset, pattern, literals in vocabulary._patterns:
        if literals is None:
            continue
        for text in texts:
            if pattern.search(text):
                checked += 1
                assert not vocabulary._literals.present(text).isdisjoint(literals), (
                    termset.id, pattern.pattern, text)
    assert checked > 100  # the test saw real matches


def test_the_dotted_capital_i_folds_as_the_patterns_fold_it() -> None:
    from skjult.checker import Checker
    from skjult.model import Verdict

    assert LiteralScan([("vind",)]).present("Vİnd et gavekort") == {"vind"}
    assert Checker("dk").check("Vİnd et gavekort til @butikken! følg os og tag en ven").verdict \
        is Verdict.VIOLATION


def test_a_bounded_optional_group_is_optional() -> None:
    assert required_literals(r"(?:rabat){,1}kode") == ("kode",)
    assert required_literals(r"(?:rabat){0,1}kode") == ("kode",)


def test_an_optional_first_character_is_skipped() -> None:
    assert required_literals(r"#?(?:reklame|annonce)\s*,") == ("reklame", "annonce")
    assert required_literals(r"\#?spons") == ("spons",)
