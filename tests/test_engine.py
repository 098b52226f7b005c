"""The verdict contract, findings pointing into the original caption, and the library API."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pytest

import skjult
from skjult import Post, Severity, Strength, Verdict
from skjult.engine import Checker


@pytest.mark.parametrize(
    ("caption", "meta", "verdict"),
    [
        ("Reklame for @cykelhuset | min nye racercykel 🚴", {}, Verdict.COMPLIANT),
        ("Tur i skoven med ungerne i dag 🍄", {}, Verdict.NOT_COMMERCIAL),
        ("Brug koden PER10 hos @cykelhuset 🚴", {}, Verdict.VIOLATION),
        ("Ny cykel fra @cykelhuset 🚴", {}, Verdict.NOT_COMMERCIAL),  # one weak cue proves nothing
        ("Ny cykel fra @cykelhuset 🚴 link i bio", {}, Verdict.WARNING),  # two weak cues: a look
        ("Ny racercykel 🚴", {"paid_partnership": True}, Verdict.VIOLATION),
        ("Reklame", {}, Verdict.WARNING),  # no advertiser named
        ("Jeg hader reklamer før film 😤", {}, Verdict.NOT_COMMERCIAL),
        ("Vi kan med glæde annoncere vores bryllup 💍", {}, Verdict.NOT_COMMERCIAL),
        ("Ikke reklame! Bare glad for min nye cykel fra @cykelhuset", {}, Verdict.NOT_COMMERCIAL),
        ("Ikke reklame! Brug koden PER10 hos @cykelhuset", {}, Verdict.VIOLATION),
        ("ʀᴇᴋʟᴀᴍᴇ for @cykelhuset – ny cykel", {}, Verdict.COMPLIANT),
        ("Adam og jeg cyklede en tur ad Strandvejen", {}, Verdict.NOT_COMMERCIAL),
        ("Reklame-fri weekend i sommerhuset 🌞", {}, Verdict.NOT_COMMERCIAL),
        ("#Reklame|#spons for @cykelhuset", {}, Verdict.COMPLIANT),
    ],
)
def test_verdicts(checker: Checker, caption: str, meta: dict[str, object], verdict: Verdict) -> None:
    assert checker.check(caption, **meta).verdict is verdict


def test_weak_evidence_never_gives_an_error(checker: Checker) -> None:
    result = checker.check("Link i bio til min nye lampe fra @lampeland 💡")
    assert result.commercial.level is Strength.WEAK
    assert all(f.severity is not Severity.ERROR for f in result.findings)


def test_finding_offsets_are_in_the_caption_as_written(checker: Checker) -> None:
    caption = "Nye sko 👟 fra @skoland\n.\n.\n#sko #𝐫𝐞𝐤𝐥𝐚𝐦𝐞 #mode"
    result = checker.check(caption)
    [finding] = [f for f in result.findings if f.rule == "dk.label-placement"]
    assert caption[finding.start:finding.end] == "#𝐫𝐞𝐤𝐥𝐚𝐦𝐞"
    assert finding.text == "#𝐫𝐞𝐤𝐥𝐚𝐦𝐞"
    assert (finding.line, finding.column) == (4, 6)
    assert finding.source.startswith("https://")
    assert finding.category == "label-placement"


def test_disclosures_and_signals_are_reported(checker: Checker) -> None:
    result = checker.check("#spons Brug koden ANNA20 hos @tøjhuset")
    assert [(d.kind, d.text) for d in result.disclosures] == [("weak", "#spons")]
    assert result.commercial.level is Strength.HARD
    assert "dk.discount-code" in {s.termset for s in result.commercial.signals}


def test_messages_in_english(checker_en: Checker) -> None:
    result = checker_en.check("#spons nye sko fra @skoland")
    assert "not an accepted label" in result.findings[0].message


def test_fix_names_the_brand(checker: Checker) -> None:
    result = checker.check("Tak for gaven @kaffebaren ☕")
    fixes = [f.fix for f in result.findings if f.rule == "dk.label-missing"]
    assert fixes == ["Start opslaget med »Reklame for @kaffebaren |«."]


def test_library_check_and_check_posts() -> None:
    result = skjult.check("Gifted 🎁 fra @smykkeboksen", creator="lise", platform="instagram")
    assert result.verdict is Verdict.VIOLATION
    assert {f.rule for f in result.findings} >= {"dk.label-missing", "dk.label-weak"}
    report = skjult.check_posts([
        {"caption": "Reklame for @smykkeboksen | nye øreringe", "creator": "lise"},
        {"text": "Gifted 🎁 fra @smykkeboksen", "username": "lise"},
        Post(text="Kaffe på altanen ☕", creator="ole"),
    ])
    lise = report.creators["lise"]
    assert (lise.posts, lise.commercial, lise.compliant, lise.violations) == (2, 2, 1, 1)
    assert lise.compliance_rate == 0.5
    assert report.creators["ole"].commercial == 0
    assert report.totals()["checked"] == 3


def test_checker_rejects_unknown_jurisdiction() -> None:
    with pytest.raises(skjult.RuleError, match="no rule pack"):
        Checker("xx")


SLOW_RULE = """
    id: mine.slow-words
    kind: existence
    category: label-weak
    severity: error
    termsets: [mine.slow]
    message: {da: langsom, en: slow}
    source: https://example.org/ours
"""


def slow_termset(pattern: str) -> str:
    return f"termsets:\n  - id: mine.slow\n    kind: marker\n    regex: ['{pattern}']\n"


def test_a_runaway_user_pattern_is_stopped_and_noted(user_pack: Callable[..., Path]) -> None:
    # '(a|aa)+b' backtracks exponentially on a long run of a's.
    pack = user_pack("mine", {"vocabulary/slow.yml": slow_termset("(a|aa)+b"),
                              "rules/slow.yml": SLOW_RULE})
    checker = Checker("dk", extra_packs=[pack])
    started = time.perf_counter()
    result = checker.check("Reklame for @x " + "a" * 60)
    assert time.perf_counter() - started < 5  # the exhaustive search would take years
    # The rule could not judge the caption: that is a finding against it, not a silent pass.
    [finding] = [f for f in result.findings if f.rule == "mine.slow-words"]
    assert finding.severity is Severity.WARNING and "mine.slow" in finding.message
    assert result.verdict is Verdict.WARNING


def test_a_runaway_pattern_no_rule_uses_is_noted(user_pack: Callable[..., Path]) -> None:
    pack = user_pack("mine", {"vocabulary/slow.yml": slow_termset("(x|xx)+y")})
    result = Checker("dk", extra_packs=[pack]).check("Reklame for @x " + "x" * 60)
    assert result.verdict is Verdict.COMPLIANT
    assert result.notes == ("pattern of term set mine.slow timed out and was skipped",)


@pytest.mark.parametrize(
    ("jurisdiction", "caption", "verdict"),
    [
        ("uk", "Sponsored | new hiking boots from @ridgeline", Verdict.WARNING),
        ("us", "Sponsored | new hiking boots from @ridgeline", Verdict.COMPLIANT),
        ("uk", "#ad new hiking boots from @ridgeline, code RIDGE10", Verdict.COMPLIANT),
        ("dk", "#ad new hiking boots from @ridgeline, code RIDGE10", Verdict.VIOLATION),
        ("us", "Thanks to @ridgeline for the free boots!", Verdict.COMPLIANT),
        ("uk", "Thanks to @ridgeline for the free boots!", Verdict.VIOLATION),
    ],
)
def test_english_packs_differ_where_the_regulators_do(jurisdiction: str, caption: str,
                                                      verdict: Verdict) -> None:
    result = skjult.check(caption, jurisdiction=jurisdiction)
    assert result.verdict is verdict, [f.rule for f in result.findings]
    assert all(f.rule.startswith(jurisdiction + ".") for f in result.findings)
