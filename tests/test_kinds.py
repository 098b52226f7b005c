"""Each rule kind on small hand-made evidence: exact marks (where, how many, which values), and
the validation, keys and schema derived from each kind's declared options.

The captions are real (``normalize`` + ``anatomy``), the hits are made by hand so that a test can
put one exactly on a boundary (the fold, the end of the first line, the start of the trailing
hashtags)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from skjult.caption import Caption, Fold, anatomy
from skjult.errors import RuleError
from skjult.model import Commercial, Post, Severity, Strength
from skjult.normalize import normalize
from skjult.rules.evidence import Evidence, Mark
from skjult.rules.kinds import COMMON_PLACEHOLDERS, REGISTRY
from skjult.rules.kinds.base import Choice, Flags, Integer, Kind, TermSets
from skjult.rules.rule import Rule, When
from skjult.rules.vocabulary import Hit, TermSet

TERMSETS = {t.id: t for t in (
    TermSet(id="t.label", kind="label", title="Reklame", strength=Strength.STRONG),
    TermSet(id="t.weak", kind="weak-label", title="spons", strength=Strength.WEAK),
    TermSet(id="t.product", kind="marker", title="snus", strength=Strength.NONE),
    TermSet(id="t.age", kind="marker", title="18+", strength=Strength.NONE),
    TermSet(id="t.stop", kind="marker", title="StopSpillet", strength=Strength.NONE),
    TermSet(id="t.rofus", kind="marker", title="ROFUS", strength=Strength.NONE),
)}

RULE_FILE = "rules/t/rules/x.yml"


def make_rule(kind: str, termsets: tuple[str, ...] = ("t.label",), **options: Any) -> Rule:
    return Rule(id="t.x", kind=kind, category="label-placement", severity=Severity.ERROR,
                termsets=termsets, when=When(), message={"da": "m", "en": "m"}, fix={},
                source="https://example.invalid/guide", description="", options=options,
                file=RULE_FILE, line=1,
                key_lines={"id": 1, "kind": 2, **{k: 10 + i for i, k in enumerate(options)}})


def make_caption(text: str, fold: Fold | None = None) -> Caption:
    return anatomy(normalize(text), fold or Fold(chars=125))


def make_evidence(text: str, hits: list[Hit], fold: Fold | None = None,
                  anchor: tuple[int, int] | None = (0, 3), reason: str = "»koden X10«"
                  ) -> Evidence:
    by_set: dict[str, list[Hit]] = {}
    for hit in hits:
        by_set.setdefault(hit.termset, []).append(hit)
    return Evidence(post=Post(text=text), caption=make_caption(text, fold), hits=by_set,
                    commercial=Commercial(Strength.STRONG), termsets=TERMSETS, anchor=anchor,
                    reason=reason)


def marks(rule: Rule, ev: Evidence) -> list[Mark]:
    """As the engine asks for them."""
    return list(REGISTRY[rule.kind].check(rule, ev))


def word(text: str, found: str, termset: str = "t.label", nth: int = 0) -> Hit:
    """A hit on the ``nth`` occurrence of ``found`` in ``text``."""
    start = -1
    for _ in range(nth + 1):
        start = text.index(found, start + 1)
    return Hit(termset, start, start + len(found))


# -- existence ------------------------------------------------------------------------------------

SNUS = "snus her, snus der, snus og #snus til alle"
SNUS_HITS = [word(SNUS, "snus", "t.product", n) for n in range(4)]


def test_existence_marks_every_occurrence_in_order() -> None:
    # hits of two term sets, given out of order: marks come by position, one per hit
    text = "spons og Reklame og spons"
    hits = [word(text, "spons", "t.weak", 1), word(text, "Reklame"), word(text, "spons", "t.weak")]
    rule = make_rule("existence", ("t.label", "t.weak"))
    assert marks(rule, make_evidence(text, hits)) == [Mark(0, 5), Mark(9, 16), Mark(20, 25)]


def test_existence_ignores_other_term_sets_and_no_hits_mean_no_marks() -> None:
    text = "Reklame for snus"
    rule = make_rule("existence", ("t.product",))
    assert marks(rule, make_evidence(text, [word(text, "Reklame")])) == []
    assert marks(rule, make_evidence(text, [])) == []


@pytest.mark.parametrize("limit", [1, 2, 3, 4, 5])
def test_existence_limit_keeps_exactly_the_first_limit_marks(limit: int) -> None:
    rule = make_rule("existence", ("t.product",), limit=limit)
    expected = [Mark(h.start, h.end) for h in SNUS_HITS][:limit]
    assert marks(rule, make_evidence(SNUS, SNUS_HITS)) == expected


def test_existence_without_limit_marks_all_and_fills_no_values() -> None:
    found = marks(make_rule("existence", ("t.product",)), make_evidence(SNUS, SNUS_HITS))
    assert len(found) == 4
    assert all(m.values == {} and not m.whole_post for m in found)


# -- absence --------------------------------------------------------------------------------------

def test_absence_points_at_the_anchor_with_the_evidence() -> None:
    text = "Brug koden X10 hos @butik"
    ev = make_evidence(text, [Hit("t.product", 0, 4)], anchor=(5, 14), reason="»koden X10«")
    assert marks(make_rule("absence", ("t.label", "t.weak")), ev) == [
        Mark(5, 14, {"evidence": "»koden X10«"})]


def test_absence_on_metadata_alone_is_about_the_whole_post() -> None:
    ev = make_evidence("Ny kjole", [], anchor=None, reason="platform flag: paid partnership")
    assert marks(make_rule("absence"), ev) == [
        Mark(0, 0, {"evidence": "platform flag: paid partnership"}, whole_post=True)]


@pytest.mark.parametrize("termset", ["t.label", "t.weak"])
def test_absence_is_silent_when_any_of_its_term_sets_occurs(termset: str) -> None:
    text = "spons: Reklame for @butik"
    hit = word(text, "Reklame", termset)
    assert marks(make_rule("absence", ("t.label", "t.weak")), make_evidence(text, [hit])) == []


# -- placement ------------------------------------------------------------------------------------

def placed(text: str, hits: list[Hit], fold: Fold | None = None, **where: bool) -> list[Mark]:
    return marks(make_rule("placement", placement=where), make_evidence(text, hits, fold))


LONG = "Dagens outfit er klar, og jeg er vild med den nye jakke i grøn. Reklame for @butik"


def test_before_fold_boundary() -> None:
    fold = Fold(chars=40)
    cap = make_caption(LONG, fold)
    assert cap.fold == 40
    inside, outside = Hit("t.label", 39, 45), Hit("t.label", 40, 46)
    assert placed(LONG, [inside], fold, before_fold=True) == []
    assert placed(LONG, [outside], fold, before_fold=True) == [Mark(40, 46, {"where": "after-fold"})]


def test_before_char_fold_boundary() -> None:
    fold = Fold(chars=30)
    inside, outside = Hit("t.label", 29, 35), Hit("t.label", 30, 36)
    assert placed(LONG, [inside], fold, before_char_fold=True) == []
    assert placed(LONG, [outside], fold, before_char_fold=True) == [
        Mark(30, 36, {"where": "after-fold"})]


def test_the_line_fold_counts_for_before_fold_only() -> None:
    # three short lines: the line fold (after line one) comes long before the character fold
    text = "Hej alle\nNy sæson\nReklame for @butik"
    fold = Fold(chars=125, lines=1)
    label = word(text, "Reklame")
    assert placed(text, [label], fold, before_fold=True) == [
        Mark(label.start, label.end, {"where": "after-fold"})]
    assert placed(text, [label], fold, before_char_fold=True) == []


def test_outside_hashtag_block_boundary() -> None:
    text = "Ny sæson i butikken\n#outfit #reklame #sommer"
    block = make_caption(text).hashtag_block
    assert block == text.index("#outfit")
    in_block = word(text, "#reklame")
    first_tag = Hit("t.label", block, block + 7)
    before = Hit("t.label", block - 1, block)
    assert placed(text, [in_block], outside_hashtag_block=True) == [
        Mark(in_block.start, in_block.end, {"where": "hashtag-block"})]
    assert placed(text, [first_tag], outside_hashtag_block=True) == [
        Mark(block, block + 7, {"where": "hashtag-block"})]
    assert placed(text, [before], outside_hashtag_block=True) == []


def test_a_caption_of_only_tags_has_no_block_to_be_buried_in() -> None:
    text = "#reklame #outfit #sommer"
    assert placed(text, [word(text, "#reklame")], outside_hashtag_block=True) == []


def test_first_line_boundary() -> None:
    text = "Første linje\nReklame for @butik"
    end = make_caption(text).lines[0][1]
    assert end == len("Første linje")
    assert placed(text, [Hit("t.label", 0, 7)], first_line=True) == []
    assert placed(text, [Hit("t.label", end - 1, end)], first_line=True) == []
    assert placed(text, [Hit("t.label", end, end + 1)], first_line=True) == []  # its line break
    assert placed(text, [Hit("t.label", end + 1, end + 8)], first_line=True) == [
        Mark(end + 1, end + 8, {"where": "not-first-line"})]


def test_a_check_set_to_false_checks_nothing() -> None:
    text = "Første linje\nmere tekst\n#sommer #reklame"
    late = word(text, "#reklame")
    fold = Fold(chars=10, lines=1)
    assert placed(text, [late], fold, first_line=False, before_fold=False,
                  before_char_fold=False, outside_hashtag_block=False) == []


def test_where_names_the_first_problem_in_a_fixed_order() -> None:
    text = "Første linje\nmere tekst her\n#sommer #reklame"
    late = word(text, "#reklame")
    fold = Fold(chars=20)
    every = {"first_line": True, "before_char_fold": True, "before_fold": True,
             "outside_hashtag_block": True}
    assert placed(text, [late], fold, **every)[0].values == {"where": "hashtag-block"}
    assert placed(text, [late], fold, first_line=True, before_char_fold=True)[0].values == {
        "where": "after-fold"}
    assert placed(text, [late], fold, first_line=True, before_fold=True)[0].values == {
        "where": "after-fold"}
    assert placed(text, [late], fold, first_line=True)[0].values == {"where": "not-first-line"}


def test_one_well_placed_hit_is_enough() -> None:
    text = "Reklame | ny jakke\nmere her\n#sommer #reklame"
    good, late = word(text, "Reklame"), word(text, "#reklame")
    assert placed(text, [late, good], first_line=True) == []
    assert placed(text, [good, late], outside_hashtag_block=True) == []


def test_when_every_hit_is_misplaced_the_first_is_marked_once() -> None:
    text = "Hej\nspons og mere\n#sommer #reklame"
    weak, late = word(text, "spons", "t.weak"), word(text, "#reklame")
    rule = make_rule("placement", ("t.label", "t.weak"), placement={"first_line": True})
    assert marks(rule, make_evidence(text, [late, weak])) == [
        Mark(weak.start, weak.end, {"where": "not-first-line"})]


def test_placement_without_hits_marks_nothing() -> None:
    assert placed("Ny jakke\nfra @butik", [], first_line=True) == []


# -- conditional ----------------------------------------------------------------------------------

GAMBLING = "Spil med bonus i dag! 18+ | StopSpillet | ROFUS"
SAFETY = ("t.age", "t.stop", "t.rofus")


def conditional(hits: list[Hit], **options: Any) -> list[Mark]:
    rule = make_rule("conditional", ("t.product", "t.weak"), **options)
    return marks(rule, make_evidence(GAMBLING, hits))


TRIGGER = word(GAMBLING, "bonus", "t.product")
SPIL = word(GAMBLING, "Spil", "t.weak")
AGE, STOP, ROFUS = (word(GAMBLING, "18+", "t.age"), word(GAMBLING, "StopSpillet", "t.stop"),
                    word(GAMBLING, "ROFUS", "t.rofus"))


def test_conditional_with_everything_required_is_silent() -> None:
    assert conditional([TRIGGER, AGE, STOP, ROFUS], require=list(SAFETY)) == []


def test_conditional_names_what_is_missing_in_the_order_required() -> None:
    assert conditional([TRIGGER, STOP], require=list(SAFETY)) == [
        Mark(TRIGGER.start, TRIGGER.end, {"missing": "18+, ROFUS"})]
    assert conditional([TRIGGER], require=["t.rofus", "t.age"]) == [
        Mark(TRIGGER.start, TRIGGER.end, {"missing": "ROFUS, 18+"})]


def test_conditional_marks_the_first_trigger_of_any_of_its_term_sets() -> None:
    assert conditional([TRIGGER, SPIL], require=["t.age"]) == [
        Mark(SPIL.start, SPIL.end, {"missing": "18+"})]


def test_conditional_default_mode_is_all() -> None:
    assert conditional([TRIGGER, AGE], require=list(SAFETY)) == [
        Mark(TRIGGER.start, TRIGGER.end, {"missing": "StopSpillet, ROFUS"})]
    assert conditional([TRIGGER, AGE], require=list(SAFETY), require_mode="all") == [
        Mark(TRIGGER.start, TRIGGER.end, {"missing": "StopSpillet, ROFUS"})]


def test_conditional_any_mode_wants_one() -> None:
    assert conditional([TRIGGER, ROFUS], require=list(SAFETY), require_mode="any") == []
    assert conditional([TRIGGER], require=list(SAFETY), require_mode="any") == [
        Mark(TRIGGER.start, TRIGGER.end, {"missing": "18+, StopSpillet, ROFUS"})]


def test_conditional_without_a_trigger_is_silent() -> None:
    assert conditional([], require=list(SAFETY)) == []
    assert conditional([AGE], require=["t.stop"]) == []


# -- the declared options: keys, schema, validation ----------------------------------------------

def test_each_kind_declares_its_keys_and_placeholders() -> None:
    assert list(REGISTRY) == ["existence", "absence", "placement", "conditional"]
    assert {n: k.keys for n, k in REGISTRY.items()} == {
        "existence": ("limit",), "absence": (), "placement": ("placement",),
        "conditional": ("require", "require_mode")}
    assert {n: k.required for n, k in REGISTRY.items()} == {
        "existence": (), "absence": (), "placement": ("placement",), "conditional": ("require",)}
    assert {"text", "brand", "brand_for", "evidence"} == COMMON_PLACEHOLDERS
    assert REGISTRY["existence"].placeholders == COMMON_PLACEHOLDERS
    assert REGISTRY["absence"].placeholders == COMMON_PLACEHOLDERS
    assert REGISTRY["placement"].placeholders == COMMON_PLACEHOLDERS | {"where"}
    assert REGISTRY["conditional"].placeholders == COMMON_PLACEHOLDERS | {"missing"}


def test_each_kind_derives_its_schema_from_its_options() -> None:
    assert REGISTRY["existence"].schema() == {"limit": {"type": "integer", "minimum": 1}}
    assert REGISTRY["absence"].schema() == {}
    assert REGISTRY["placement"].schema() == {"placement": {
        "type": "object", "minProperties": 1, "additionalProperties": False,
        "properties": {c: {"type": "boolean"} for c in (
            "before_fold", "before_char_fold", "outside_hashtag_block", "first_line")}}}
    assert REGISTRY["conditional"].schema() == {
        "require": {"type": "array", "items": {"type": "string"}, "minItems": 1},
        "require_mode": {"enum": ["all", "any"]}}
    assert Integer("n").schema() == {"type": "integer"}


CHECKS = "before_fold, before_char_fold, outside_hashtag_block, first_line"


@pytest.mark.parametrize(("kind", "options", "key", "message"), [
    ("existence", {"limit": "many"}, "limit", "limit must be a int"),
    ("existence", {"limit": True}, "limit", "limit must be a int"),
    ("existence", {"limit": None}, "limit", "limit must be a int"),
    ("existence", {"limit": 0}, "limit", "limit must be at least 1"),
    ("conditional", {}, "require", "require must list term sets"),
    ("conditional", {"require": []}, "require", "require must list term sets"),
    ("conditional", {"require": "t.age"}, "require", "require must list term sets"),
    ("conditional", {"require": ["t.age", 7]}, "require", "require must list term sets"),
    ("conditional", {"require": ["t.age", "t.agee"]}, "require",
     "unknown term set 't.agee' in require"),
    ("conditional", {"require": ["t.age"], "require_mode": "some"}, "require_mode",
     "require_mode is 'all' or 'any'"),
    ("conditional", {"require": ["t.age"], "require_mode": None}, "require_mode",
     "require_mode is 'all' or 'any'"),
    ("placement", {}, "placement", f"placement needs at least one of {CHECKS}"),
    ("placement", {"placement": {}}, "placement", f"placement needs at least one of {CHECKS}"),
    ("placement", {"placement": ["first_line"]}, "placement",
     f"placement needs at least one of {CHECKS}"),
    ("placement", {"placement": {"first_line": True, "first_lines": True}}, "placement",
     f"placement.first_lines is not one of {CHECKS} set to true/false"),
    ("placement", {"placement": {"first_line": "yes"}}, "placement",
     f"placement.first_line is not one of {CHECKS} set to true/false"),
])
def test_invalid_options_are_located_errors(kind: str, options: dict[str, Any], key: str,
                                            message: str) -> None:
    rule = make_rule(kind, **options)
    with pytest.raises(RuleError) as err:
        REGISTRY[kind].validate(rule, TERMSETS)
    assert (err.value.file, err.value.line) == (RULE_FILE, rule.line_of(key))
    assert err.value.message == f"rule t.x: {message}"
    assert err.value.hint is None


def test_an_option_left_out_is_at_the_rule_s_own_line() -> None:
    rule = make_rule("conditional")
    with pytest.raises(RuleError) as err:
        REGISTRY["conditional"].validate(rule, TERMSETS)
    assert err.value.line == 1


def no_marks(rule: Rule, ev: Evidence) -> Iterator[Mark]:
    """The check of a kind made up for a test of its options."""
    yield from ()


def test_an_option_left_out_does_not_stop_the_check_of_the_next() -> None:
    kind = Kind("two", no_marks, options=(Integer("limit"), Choice("mode", values=("a", "b"))))
    with pytest.raises(RuleError, match="mode is 'a' or 'b'"):
        kind.validate(make_rule("two", mode="c"), TERMSETS)


def test_the_first_problem_in_declared_order_is_reported() -> None:
    rule = make_rule("conditional", require_mode="some", require=[])
    with pytest.raises(RuleError, match="require must list term sets"):
        REGISTRY["conditional"].validate(rule, TERMSETS)


@pytest.mark.parametrize(("kind", "options"), [
    ("existence", {}),
    ("existence", {"limit": 1}),
    ("existence", {"limit": 40}),
    ("absence", {}),
    ("conditional", {"require": ["t.age"]}),
    ("conditional", {"require": ["t.age", "t.stop"], "require_mode": "any"}),
    ("conditional", {"require": ["t.age"], "require_mode": "all"}),
    ("placement", {"placement": {"first_line": True}}),
    ("placement", {"placement": {"before_fold": False, "before_char_fold": True,
                                 "outside_hashtag_block": True, "first_line": False}}),
])
def test_valid_options_pass(kind: str, options: dict[str, Any]) -> None:
    REGISTRY[kind].validate(make_rule(kind, **options), TERMSETS)


def test_option_values_and_defaults() -> None:
    rule = make_rule("conditional", require=["t.age", "t.stop"], limit=3,
                     placement={"first_line": True})
    assert TermSets("require").of(rule) == ("t.age", "t.stop")
    assert TermSets("other").of(rule) == ()
    assert Choice("require_mode", values=("all", "any"), default="all").of(rule) == "all"
    assert Choice("require_mode", values=("all", "any"), default="any").of(rule) == "any"
    assert Integer("limit").of(rule) == 3
    assert Integer("other").of(rule) is None
    assert Flags("placement", flags=("first_line",)).of(rule) == {"first_line": True}
    assert Flags("other", flags=("first_line",)).of(rule) == {}


@pytest.mark.parametrize(("values", "said"), [
    (("ja",), "x is 'ja'"),
    (("ja", "nej"), "x is 'ja' or 'nej'"),
    (("a", "b", "c"), "x is 'a', 'b' or 'c'"),
])
def test_a_choice_names_its_values(values: tuple[str, ...], said: str) -> None:
    assert Choice("x", values=values).problem("z", TERMSETS) == said
    assert Choice("x", values=values).problem(values[-1], TERMSETS) is None


def test_term_sets_may_ask_for_more_than_one() -> None:
    two = TermSets("require", min_items=2)
    assert two.schema()["minItems"] == 2
    assert two.problem(["t.age"], TERMSETS) == "require must list term sets"
    assert two.problem(["t.age", "t.stop"], TERMSETS) is None


def test_a_kind_may_not_declare_a_key_twice_or_shadow_a_common_key() -> None:
    said = "is declared twice or is a key of every rule"
    with pytest.raises(ValueError, match=f"^kind twice: option 'limit' {said}$"):
        Kind("twice", no_marks, options=(Integer("limit"), Integer("limit")))
    with pytest.raises(ValueError, match=f"^kind shadow: option 'when' {said}$"):
        Kind("shadow", no_marks, options=(Integer("when"),))
    assert Kind("fine", no_marks, options=(Integer("limit"), Integer("most"))).keys == (
        "limit", "most")


# -- which kinds need hits ----------------------------------------------------------------------

# Options each kind needs to be asked at all (its required keys).
_REQUIRED = {"conditional": {"require": ("t.age",)}, "placement": {"placement": ["before_fold"]}}


@pytest.mark.parametrize("name", sorted(REGISTRY))
def test_a_kind_that_says_it_needs_hits_marks_nothing_without_them(name: str) -> None:
    """The engine skips a rule whose kind ``needs_hits`` when none of its term sets occur: that
    kind must then have nothing to say (otherwise skipping would lose findings)."""
    rule = make_rule(name, ("t.label",), **_REQUIRED.get(name, {}))
    text = "Ny kaffe fra @brand, 18+ #spons"
    without = make_evidence(text, [word(text, "18+", "t.age"), word(text, "#spons", "t.weak")])
    found = marks(rule, without)
    if REGISTRY[name].needs_hits:
        assert found == []
    else:  # absence: the missing label is exactly what it marks
        assert found != []
