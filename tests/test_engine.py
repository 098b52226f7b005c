"""The verdict contract, findings pointing into the original caption, and the library API."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pytest

import skjult
from skjult import Post, Severity, Strength, Verdict
from skjult.checker import Checker


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
    # one problem, one finding: the missing label, standing for the weak "Gifted" too
    assert [(f.rule, f.supersedes) for f in result.findings] == \
        [("dk.label-missing", ("dk.label-weak",))]
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


# -- findings that point at the right thing ------------------------------------------------


def test_metadata_alone_makes_a_finding_about_the_whole_post(checker: Checker,
                                                             checker_en: Checker) -> None:
    result = checker.check("Søndagsbrunch på altanen med hele familien 🥐", paid_partnership=True)
    [finding] = result.findings
    assert finding.rule == "dk.label-missing" and finding.whole_post
    assert (finding.start, finding.end, finding.line, finding.column, finding.text) == (0, 0, 1, 1, "")
    assert "platformens markering: betalt partnerskab" in finding.message
    as_json = result.to_dict()["findings"][0]
    assert as_json["whole_post"] is True and (as_json["start"], as_json["end"]) == (0, 0)
    english = checker_en.check("Søndagsbrunch på altanen 🥐", paid_partnership=True).findings[0]
    assert "(platform flag: paid partnership)" in english.message


def test_words_the_level_rests_on_are_still_pointed_at(checker: Checker) -> None:
    caption = "Søndagsbrunch 🥐 brug koden BRUNCH10 hos @bageriet"
    result = checker.check(caption, paid_partnership=True)
    [finding] = [f for f in result.findings if f.rule == "dk.label-missing"]
    assert not finding.whole_post and caption[finding.start:finding.end] == finding.text
    assert "koden BRUNCH10" in finding.text
    assert "whole_post" not in result.to_dict()["findings"][0]


def test_each_metadata_source_has_its_own_words() -> None:
    from skjult.config import Config

    config = Config(campaign=frozenset({"kampagne-7"}), brands=("@solsikkeolie",))
    da = Checker("dk", config=config)
    en = Checker("dk", lang="en", config=config)
    campaign = Post(text="Aftensmad i haven 🌻", id="kampagne-7")
    assert "opslaget står på kampagnelisten i konfigurationen" in da.check(campaign).findings[0].message
    assert "the campaign list in the configuration" in en.check(campaign).findings[0].message
    # a configured brand named only by the post's data (a sponsor column), not in the caption
    named = Post(text="Aftensmad i haven 🌻", meta={"brand": "@Solsikkeolie"})
    [finding] = da.check(named).findings
    assert finding.whole_post and "opslagets data angiver @Solsikkeolie, et brand fra " \
        "konfigurationen" in finding.message
    assert "a brand from the configuration" in en.check(named).findings[0].message
    # named in the caption too: the words are the evidence, and are pointed at
    shown = da.check(Post(text="Aftensmad med @solsikkeolie 🌻", meta={"brand": "@solsikkeolie"}))
    assert not any(f.whole_post for f in shown.findings)


def test_a_cue_found_twice_on_the_same_words_is_named_once(checker: Checker) -> None:
    from skjult.config import Config

    quiet = Checker("dk", config=Config(ignore=("dk.label-weak",)))
    [finding] = quiet.check("Tak for gaven @kaffebaren ☕ den smager skønt").findings
    assert finding.message.count("»Tak for gaven«") == 1, finding.message


def test_a_weak_label_that_is_the_evidence_is_one_error(checker: Checker,
                                                        checker_en: Checker) -> None:
    caption = "Tak for gaven @kaffebaren ☕ den smager skønt"
    result = checker.check(caption)
    [finding] = result.findings  # not an error and a warning on the same words
    assert finding.rule == "dk.label-missing" and finding.severity is Severity.ERROR
    assert finding.supersedes == ("dk.label-weak",) and finding.text == "Tak for gaven"
    assert "ingen reklamemarkering" in finding.message and "»Reklame«" in finding.message
    assert finding.fix == "Start opslaget med »Reklame for @kaffebaren |«."
    assert result.verdict is Verdict.VIOLATION
    assert result.to_dict()["findings"][0]["supersedes"] == ["dk.label-weak"]
    english = checker_en.check(caption).findings[0]
    assert "is not a label" in english.message


def test_problems_on_other_words_stay_two_findings(checker: Checker) -> None:
    result = checker.check("#samarbejde Nye løbesko fra @løbeshoppen, koden LØB10 giver rabat")
    assert sorted(f.rule for f in result.findings) == ["dk.label-missing", "dk.label-weak"]
    assert not any(f.supersedes for f in result.findings)


def test_a_finding_never_supersedes_a_more_severe_one() -> None:
    from skjult.config import Config

    relaxed = Checker("dk", config=Config(severity={"dk.label-missing": Severity.INFO}))
    result = relaxed.check("Julebryggen fra @kaffebaren er landet ☕ #samarbejde")
    assert sorted((f.rule, str(f.severity)) for f in result.findings) == \
        [("dk.label-missing", "info"), ("dk.label-weak", "warning")]
    assert result.verdict is Verdict.WARNING  # as without the merge


def test_suppressions_apply_before_findings_are_merged() -> None:
    from skjult.config import Config, Suppression

    accepted = Suppression(rule="dk.label-missing", reason="own shop", creator="ida")
    result = Checker("dk", config=Config(suppressions=(accepted,))).check(
        "Tak for gaven @kaffebaren ☕ den smager skønt", creator="ida")
    assert [f.rule for f in result.findings] == ["dk.label-weak"]  # still a weak label
    assert [s.finding.rule for s in result.suppressed] == ["dk.label-missing"]


def test_supersedes_is_data_checked_when_the_packs_load(user_pack: Callable[..., Path]) -> None:
    rule = """\
        id: mine.extra-weak
        kind: existence
        category: label-weak
        severity: error
        termsets: [dk.label-weak]
        message: {da: "»{text}« dur ikke", en: "\\"{text}\\" will not do"}
        source: https://example.org/guide
        supersedes:
          rules: [dk.label-wek]
        """
    pack = user_pack("mine", {"rules/extra-weak.yml": rule})
    with pytest.raises(skjult.RuleError, match=r'supersedes unknown rule .*did you mean "dk\.label-weak"'):
        Checker("dk", extra_packs=[pack])
    fixed = user_pack("mine2", {"rules/extra-weak.yml": rule.replace("mine.", "mine2.")
                                .replace("dk.label-wek", "dk.label-weak")})
    result = Checker("dk", extra_packs=[fixed]).check("Ny løbejakke 🏃 #ambassadør @løbeshoppen, "
                                                      "koden LØB10 giver rabat")
    mine = [f for f in result.findings if f.rule == "mine2.extra-weak"]
    assert mine and mine[0].supersedes == ("dk.label-weak",) and mine[0].message.endswith("dur ikke")
    assert not any(f.rule == "dk.label-weak" for f in result.findings)


def test_supersedes_with_an_unknown_key_is_refused_with_its_line(
        user_pack: Callable[..., Path]) -> None:
    pack = user_pack("mine", {"rules/x.yml": """\
        id: mine.x
        kind: existence
        category: label-weak
        severity: error
        termsets: [dk.label-weak]
        message: "x"
        source: https://example.org/guide
        supersedes:
          rules: [dk.label-weak]
          mesage: "y"
        """})
    with pytest.raises(skjult.RuleError, match=r'x\.yml:10: .*unknown key .mesage.*did you mean "message"'):
        Checker("dk", extra_packs=[pack])


def test_a_rule_that_could_not_judge_is_about_the_whole_post(user_pack: Callable[..., Path]) -> None:
    pack = user_pack("mine", {"vocabulary/slow.yml": slow_termset("(a|aa)+b"),
                              "rules/slow.yml": SLOW_RULE})
    result = Checker("dk", extra_packs=[pack]).check("Reklame for @x " + "a" * 60)
    [finding] = [f for f in result.findings if f.rule == "mine.slow-words"]
    assert finding.whole_post and finding.start == finding.end == 0
