"""The rule set is plain data built once, and judging is a pure function of post and rule set."""

from __future__ import annotations

import dataclasses
import pickle
from pathlib import Path

import pytest

from skjult.checker import Checker
from skjult.config import Config
from skjult.model import Edit, Post
from skjult.rules.ruleset import NoActiveRule, build_ruleset
from skjult.run.runner import Runner

CAPTIONS = [
    "Tak til @strikkehuset for garnet 🧶 brug koden ULD10",
    "Reklame for @cykelsmeden | ny kæde på cyklen",
    "Søndagstur i skoven med hunden",
    "Mit nye køkkenbord er kommet op #samarbejde @snedkeriet",
]


def test_a_rule_set_pickles_and_judges_the_same_elsewhere() -> None:
    ruleset = build_ruleset("dk", config=Config(brands=("Strikkehuset",)))
    copy = pickle.loads(pickle.dumps(ruleset))
    here = [r.to_dict() for r in Runner(ruleset).results(Post(c) for c in CAPTIONS)]
    there = [r.to_dict() for r in Runner(copy).results(Post(c) for c in CAPTIONS)]
    assert here == there
    assert [r["verdict"] for r in here] == ["violation", "compliant", "not_commercial", "violation"]


def test_a_rule_set_is_frozen() -> None:
    ruleset = build_ruleset("dk")
    with pytest.raises(dataclasses.FrozenInstanceError):
        ruleset.rules = ()  # type: ignore[misc]


def test_select_and_severity_are_applied_when_the_rule_set_is_built() -> None:
    config = Config(select=("dk.label-missing",), severity={"dk.label-missing": "warning"})  # type: ignore[dict-item]
    ruleset = build_ruleset("dk", config=config)
    assert [r.id for r in ruleset.rules] == ["dk.label-missing"]
    assert str(ruleset.rules[0].severity) == "warning"
    assert ruleset.ignored == len(ruleset.known_rules) - 1
    with pytest.raises(NoActiveRule):
        build_ruleset("dk", config=Config(ignore=("dk.*",)))


def test_judging_does_not_change_the_post() -> None:
    """The configuration's audience for a creator counts for the judgement, but the post as
    read stays as it was (it is evidence)."""
    checker = Checker(config=Config(audiences={"lille.lise": "minors"}))
    post = Post("Tak til @slikbutikken for posen 🍬 #samarbejde", creator="lille.lise")
    result = checker.check(post)
    assert post.meta.audience is None and result.post is post
    assert any(f.category == "minors" for f in result.findings)
    assert not any(f.category == "minors" for f in Checker().check(post).findings)


def test_a_finding_carries_the_edit_that_fixes_it() -> None:
    result = Checker().check("Tak for gaven @urmageren ⌚")
    [missing] = [f for f in result.findings if f.rule == "dk.label-missing"]
    assert missing.edits == (Edit(0, 0, "Reklame for @urmageren | ",
                                  unless_begins="Reklame for @urmageren"),)
    gambling = Checker().check("Reklame for @spilhuset 🎰 50 gratis spins til alle nye spillere!")
    [safety] = [f for f in gambling.findings if f.rule == "dk.gambling-safety"]
    assert safety.edits is None  # a missing safety line needs a person


def test_a_weak_hashtag_is_taken_out_with_the_blank_it_leaves() -> None:
    caption = "Ny sofa i stuen #samarbejde @møbelhuset\nglæder mig"
    result = Checker().check(caption)
    removals = [e for f in result.findings for e in f.edits or () if e.text == ""]
    assert removals and all(caption[e.start:e.end] in (" #samarbejde", "#samarbejde")
                            for e in removals)


def test_a_pack_of_ones_own_is_part_of_the_rule_set(tmp_path: Path) -> None:
    ruleset = build_ruleset("dk")
    assert ruleset.packs == (ruleset.pack,) and ruleset.language == "da"


def test_post_metadata_of_the_wrong_kind_is_refused_where_it_is_made() -> None:
    for bad in ({"brand": 5}, {"paid_partnership": "nej"}, {"audience": "kids"}, {"sponsor": "x"}):
        with pytest.raises(ValueError):
            Post("hej", meta=bad)  # type: ignore[arg-type]


def test_a_dict_set_as_metadata_after_the_post_was_made_is_read() -> None:
    post = Post("Min nye cykel")
    post.meta = {"paid_partnership": True}  # type: ignore[assignment]
    assert Checker().check(post).verdict.value == "violation"


def test_an_unknown_jurisdiction_in_a_configuration_is_named_at_its_line(tmp_path: Path) -> None:
    from skjult.config import load_config

    path = tmp_path / "skjult.toml"
    path.write_text('lang = "da"\njurisdiction = "dkk"\n', encoding="utf-8")
    with pytest.raises(ValueError) as err:  # a library caller's ValueError ...
        Checker(config=load_config(path))
    assert (err.value.file, err.value.line) == (str(path), 2)  # type: ignore[attr-defined]
    assert 'did you mean "dk"' in str(err.value)  # ... that names the file and line


def test_a_language_nobody_speaks_is_refused_when_the_runner_is_made() -> None:
    with pytest.raises(ValueError):
        Runner(build_ruleset("dk"), lang="de")
    with pytest.raises(AttributeError):
        Checker().lang = "en"  # type: ignore[misc]
