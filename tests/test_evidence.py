"""How cues add up (pack.yml `evidence`) and the term-set keys that shape cues: group, specific,
within, include, echo, skip_quoted, and cancels on any set."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from skjult.checker import Checker
from skjult.errors import RuleError
from skjult.model import Signal, Strength, Verdict
from skjult.rules.pack import load_pack
from skjult.rules.vocabulary import Echo, TermSet, echoes
from skjult.rules.weighing import Combination, Weighing, parse_weighing


def termset(tid: str, strength: Strength, *, group: str | None = None,
            specific: bool = False) -> TermSet:
    return TermSet(id=tid, kind="signal", title=tid, strength=strength, group=group,
                   specific=specific)


SETS = {t.id: t for t in (
    termset("tag", Strength.WEAK, group="brand"),
    termset("tag-name", Strength.WEAK, group="brand"),
    termset("link", Strength.WEAK),
    termset("deal", Strength.WEAK),
    termset("giveaway", Strength.WEAK, specific=True),
    termset("gift", Strength.STRONG),
    termset("code", Strength.HARD),
)}
PACK_WEIGHING = Weighing((Combination(2, Strength.WEAK), Combination(3, Strength.STRONG)))


def cue(tid: str, start: int) -> Signal:
    return Signal(tid, SETS[tid].strength, tid, start, start + 1)


@pytest.mark.parametrize(("cues", "level", "basis"), [
    ([], Strength.NONE, []),
    (["tag"], Strength.NONE, []),  # one weak cue proves nothing
    (["tag", "tag-name"], Strength.NONE, []),  # one group counts once
    (["tag", "link"], Strength.WEAK, ["tag", "link"]),  # two independent cues: a look
    (["link", "tag", "tag-name"], Strength.WEAK, ["link", "tag"]),
    (["tag", "link", "deal"], Strength.STRONG, ["tag", "link", "deal"]),  # three: as good as strong
    (["giveaway"], Strength.WEAK, ["giveaway"]),  # specific: worth a look alone
    (["tag", "gift"], Strength.STRONG, ["gift"]),  # a strong cue decides alone
    (["gift", "code"], Strength.HARD, ["code"]),
])
def test_weak_cues_add_up_as_the_pack_says(cues: list[str], level: Strength,
                                            basis: list[str]) -> None:
    signals = [cue(tid, i * 10) for i, tid in enumerate(cues)]
    got_level, got_basis = PACK_WEIGHING.weigh(signals, SETS)
    assert got_level is level
    assert [s.termset for s in got_basis] == basis


def test_the_basis_of_a_group_is_its_specific_cue() -> None:
    sets = {**SETS, "shop-call": termset("shop-call", Strength.WEAK, group="link", specific=True)}
    signals = [Signal("link", Strength.WEAK, "link i bio", 0, 10),
               Signal("shop-call", Strength.WEAK, "tap to shop", 20, 31)]
    level, basis = PACK_WEIGHING.weigh(signals, sets)
    assert level is Strength.WEAK and [s.termset for s in basis] == ["shop-call"]


def test_without_an_evidence_section_every_weak_cue_warns() -> None:
    level, basis = Weighing().weigh([cue("tag", 0)], SETS)
    assert level is Strength.WEAK and [s.termset for s in basis] == ["tag"]


@pytest.mark.parametrize("raw", [
    {"combine": [{"cues": 0, "level": "weak"}]},
    {"combine": [{"cues": 2, "level": "none"}]},
    {"combine": [{"cues": 2}]},
    {"combine": "two"},
    {"add": []},
])
def test_a_bad_evidence_section_is_refused_with_its_line(raw: object) -> None:
    with pytest.raises(RuleError) as err:
        parse_weighing("pack.yml", raw, 7)
    assert err.value.line == 7 and "combine" in str(err.value)


@pytest.mark.parametrize(("text", "match", "tags"), [
    ("Glød hele sommeren @lumaskin #lumaskinglow", "extended", ["#lumaskinglow"]),
    ("Glød hele sommeren @lumaskin #lumaskin", "extended", []),
    ("Glød hele sommeren @lumaskin #lumaskin", "exact", ["#lumaskin"]),
    ("@lumaskin_dk #lumaskin #lumaskindk", "exact", ["#lumaskin", "#lumaskindk"]),
    ("@solbaer.drinks #solbaersommer", "extended", ["#solbaersommer"]),  # a part of the handle
    ("@roskildefestival #roskildefestival2026", "exact", ["#roskildefestival2026"]),  # a year
    ("@stanley1913 #stanleycup", "extended", ["#stanleycup"]),  # the handle's number
    ("@mrsmeyersclean #mrsmeyers", "exact", ["#mrsmeyers"]),  # a name cut short
    ("@dodgers #letsgododgers", "extended", []),  # a fan's words before the name
    ("@dodgers #letsgododgers", "any", ["#letsgododgers"]),
    ("@hm #hmxme", "any", []),  # names shorter than min_length say nothing
    ("#lumaskinglow uden tag", "any", []),
])
def test_hashtags_that_echo_a_tagged_name(text: str, match: str, tags: list[str]) -> None:
    echo = Echo(affixes=("dk",), min_length=4, match=match)
    assert [text[s:e] for s, e in echoes(text, echo)] == tags


PACK_FILES = {
    "vocabulary/cues.yml": """
        termsets:
          - id: my.gear
            kind: marker
            words: ["telt", "sovepose"]
          - id: my.thanks-for-gear
            kind: signal
            strength: strong
            requires_any: [my.gear]
            within: 20
            regex: ["\\\\btak\\\\s+til\\\\s+@\\\\w+"]
          - id: my.base-words
            kind: marker
            phrases: ["fjeldgrej til alle"]
            exclude: ["\\\\bikke\\\\s+fjeldgrej til alle"]
          - id: my.slogan
            kind: signal
            strength: strong
            include: [my.base-words]
            skip_quoted: true
          - id: my.small-print
            kind: marker
            cancels: [signal]
            regex: ["\\\\(ikke en del af kampagnen[^)]*\\\\)"]
          - id: my.campaign-tag
            kind: signal
            strength: strong
            echo: {affixes: [dk], min_length: 4, match: extended}
    """,
    "rules/cue.yml": """
        id: my.cue
        kind: existence
        category: label-missing
        severity: info
        termsets: [my.thanks-for-gear, my.slogan, my.campaign-tag]
        message: "{text}"
        source: https://example.invalid/
    """,
    "rules/cue.test.txt": """
        // ruleid: my.cue
        Tak til @fjeldgrej for det nye telt
        ---
        // ok: my.cue
        Tak til @fjeldgrej for en dejlig tur
    """,
}


@pytest.fixture()
def cue_checker(user_pack: Callable[..., Path]) -> Checker:
    return Checker("dk", extra_packs=[user_pack("my", PACK_FILES)])


def cue_texts(checker: Checker, caption: str) -> list[str]:
    return [f.text for f in checker.check(caption).findings if f.rule == "my.cue"]


@pytest.mark.parametrize(("caption", "found"), [
    # within: the product must be close to the thanks
    ("Tak til @fjeldgrej for det nye telt", ["Tak til @fjeldgrej"]),
    ("Tak til @fjeldgrej for en dejlig tur i fjeldet med hele familien, og så telt", []),
    # include: the included set's words and its exclusions
    ("Fjeldgrej til alle, hele året", ["Fjeldgrej til alle"]),
    ("Det er ikke fjeldgrej til alle", []),
    # skip_quoted: talked about in quotation marks
    ("Sloganet »fjeldgrej til alle« er godt", []),
    # cancels on a marker: small print neutralises what it holds
    ("Vinterens kollektion (ikke en del af kampagnen fjeldgrej til alle)", []),
    # echo
    ("@fjeldgrej_dk #fjeldgrejfamily", ["#fjeldgrejfamily"]),
])
def test_term_set_keys_shape_the_hits(cue_checker: Checker, caption: str, found: list[str]) -> None:
    assert cue_texts(cue_checker, caption) == found


@pytest.mark.parametrize(("entry", "message"), [
    ("{id: my.x, kind: signal, strength: weak, within: 10, words: [a]}", "needs requires_any"),
    ("{id: my.x, kind: signal, strength: weak, specific: yes-please, words: [a]}", "true or false"),
    ("{id: my.x, kind: signal, strength: weak, echo: {affix: [dk]}}", 'did you mean "affixes"'),
    ("{id: my.x, kind: signal, strength: weak, echo: {match: exactly}}", "echo.match"),
    ("{id: my.x, kind: signal, strength: weak, include: [my.nope]}", "unknown term set"),
    ("{id: my.x, kind: signal, strength: [weak], words: [a]}", "strength must be one of"),
    ("{id: my.x, kind: self-declared, respected_below: [hard], words: [a]}", "respected_below must"),
    ("{id: my.x, kind: signal, strength: weak, regex: ['(?V0)a']}", "does not compile"),
])
def test_bad_term_set_keys_are_refused(user_pack: Callable[..., Path], entry: str,
                                       message: str) -> None:
    root = user_pack("my", {"vocabulary/x.yml": f"termsets:\n  - {entry}\n"})
    with pytest.raises(RuleError) as err:
        load_pack(root)
    assert message in str(err.value) and "x.yml" in str(err.value)


def test_include_is_one_level_deep(user_pack: Callable[..., Path]) -> None:
    root = user_pack("my", {"vocabulary/x.yml": """
        termsets:
          - {id: my.a, kind: marker, words: [a]}
          - {id: my.b, kind: marker, include: [my.a]}
          - {id: my.c, kind: marker, include: [my.b]}
    """})
    with pytest.raises(RuleError, match="includes other sets itself"):
        load_pack(root)


@pytest.mark.parametrize(("caption", "verdict"), [
    # a declaration outweighs weak cues ...
    ("Ikke sponsoreret! Ny cykel fra @cykelhuset 🚴 link i bio", Verdict.NOT_COMMERCIAL),
    # ... turns a gift into a question for a human ...
    ("Ikke reklame, men jeg fik hjelmen tilsendt fra @cykelhuset", Verdict.WARNING),
    # ... and cannot stand against a code
    ("Ikke reklame! Brug koden PER10 hos @cykelhuset", Verdict.VIOLATION),
])
def test_a_self_declaration_lowers_the_evidence_one_step(checker: Checker, caption: str,
                                                         verdict: Verdict) -> None:
    assert checker.check(caption).verdict is verdict


def test_every_verdict_names_the_cues_it_rests_on(checker: Checker) -> None:
    result = checker.check("Min nye sofa fra @møbelhuset er kommet 😍 link i bio")
    assert result.verdict is Verdict.WARNING
    assert [s.text for s in result.commercial.basis] == ["fra @møbelhuset", "link i bio"]
    [finding] = [f for f in result.findings if f.rule == "dk.review-unlabelled"]
    assert "»fra @møbelhuset« + »link i bio«" in finding.message
    assert result.to_dict()["commercial"]["basis"][1]["text"] == "link i bio"


def test_giveaway_boilerplate_is_neither_a_declaration_nor_a_sponsor(checker: Checker) -> None:
    result = checker.check("Vind en hoodie sammen med @strikhuset 🎁 følg os og tag en ven. "
                           "Konkurrencen er ikke sponsoreret af eller tilknyttet Instagram.")
    assert not result.commercial.self_declared
    assert result.verdict is Verdict.VIOLATION
    assert {s.termset for s in result.commercial.basis} == {"dk.brand-giveaway"}


def test_the_proximity_window_finds_what_comparing_every_pair_finds() -> None:
    """``within`` searches companions in a window of sorted starts (linear on captions with
    thousands of hits); it must keep exactly the hits that comparing every pair keeps."""
    import random

    from skjult.rules.vocabulary import Hit, _near

    rng = random.Random(7)
    for _ in range(300):
        hits = [Hit("a", s, s + rng.randint(1, 12)) for s in rng.sample(range(400), 25)]
        company = [Hit("b", s, s + rng.randint(1, 30)) for s in rng.sample(range(400), 15)]
        reach = rng.randint(0, 60)
        brute = [h for h in hits if any(max(o.start - h.end, h.start - o.end) <= reach
                                        for o in company)]
        assert _near(hits, company, reach) == brute


def test_an_added_pack_cannot_redefine_a_built_in_term_set_or_the_weighing(
        user_pack: Callable[..., Path]) -> None:
    shadow = user_pack("mine", {"vocabulary/x.yml": """
        termsets:
          - {id: dk.mention, kind: marker, words: [nobody]}
    """})
    with pytest.raises(RuleError, match=r"'dk\.mention' is already defined"):
        Checker("dk", extra_packs=[shadow])
    weighing = user_pack("other", {"pack.yml": """
        pack: other
        evidence: {combine: [{cues: 1, level: strong}]}
    """})
    with pytest.raises(RuleError, match="cannot change it"):
        Checker("dk", extra_packs=[weighing])


def test_exclusions_and_cancels_keep_what_comparing_every_pair_keeps() -> None:
    import random

    from skjult.rules.vocabulary import Hit, _outside, overlapping

    rng = random.Random(11)
    for _ in range(300):
        hits = [Hit("a", s, s + rng.randint(1, 12)) for s in rng.sample(range(300), 20)]
        cuts = sorted(rng.sample(range(320), 16))
        spans = [(cuts[i], cuts[i + 1]) for i in range(0, 16, 2)]  # sorted, not overlapping
        assert _outside(hits, spans) == [h for h in hits if not any(
            a <= h.start and h.end <= b for a, b in spans)]
        others = [Hit("b", s, s + rng.randint(1, 20)) for s in rng.sample(range(300), 10)]
        assert overlapping(hits, others) == [h for h in hits if any(
            o.start < h.end and h.start < o.end for o in others)]
