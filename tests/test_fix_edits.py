"""--fix only applies the edits findings carry: the applier's own promises."""

from __future__ import annotations

import pytest

from skjult.checker import Checker
from skjult.fix import apply_edits
from skjult.model import Edit

LABEL = Edit(0, 0, "Reklame | ", unless_begins="Reklame")


def test_edits_apply_from_the_end_so_offsets_hold() -> None:
    text = "aa #x bb #y cc"
    assert apply_edits(text, [Edit(2, 5, ""), Edit(8, 11, "")]) == "aa bb cc"


def test_the_same_edit_from_two_findings_is_made_once() -> None:
    assert apply_edits("hej #x", [Edit(3, 6, ""), Edit(3, 6, ""), LABEL, LABEL]) == "Reklame | hej"


def test_a_label_is_not_put_first_twice_whatever_its_case() -> None:
    assert apply_edits("REKLAME for mig selv", [LABEL]) == "REKLAME for mig selv"
    assert apply_edits("  tur i skoven", [LABEL]) == "Reklame | tur i skoven"


def test_overlapping_edits_keep_one() -> None:
    assert apply_edits("abcdef", [Edit(1, 4, "X"), Edit(2, 5, "Y")]) in ("aXef", "abYf")


@pytest.mark.parametrize("caption", [
    "Tak for gaven @urmageren ⌚",
    "Mit nye køkkenbord er kommet op #samarbejde @snedkeriet",
    "Ny sofa i stuen @møbelhuset\nglæder mig\n#ad",
    "Rabatkode SKO20 hos @skobutikken 👟 #sponsoreret",
])
def test_fixing_twice_changes_nothing_more(caption: str) -> None:
    checker = Checker()
    once = apply_edits(caption, [e for f in checker.check(caption).findings for e in f.edits or ()])
    assert once != caption
    twice = apply_edits(once, [e for f in checker.check(once).findings for e in f.edits or ()])
    assert twice == once
    assert not [f for f in checker.check(once).findings if f.rule == "dk.label-missing"]


@pytest.mark.parametrize(("jurisdiction", "caption", "fixed"), [
    # a label is "put first" only where the caption does not open with it as a word
    ("uk", "Adventure kit I wore this week: https://rstyle.me/cz/abc123",
     "Ad | Adventure kit I wore this week: https://rstyle.me/cz/abc123"),
    ("dk", "Reklamelinks ⬇️\nLampen: https://www.lampeloftet.dk/shop/lampe-1",
     "Reklame | Reklamelinks ⬇️\nLampen: https://www.lampeloftet.dk/shop/lampe-1"),
    # a tag alone on a middle line takes its line with it
    ("dk", "Morgenkaffe med de nye bønner fra @ristehuset ☕\n#reklame\n#kaffe #morgen",
     "Reklame for @ristehuset | Morgenkaffe med de nye bønner fra @ristehuset ☕\n#kaffe #morgen"),
    # a tag opening a line takes the blank after it
    ("uk", "Morning routine with the new serum from @glowlab ✨\nHonestly cannot stop using it\n"
           "#ad #skincare #glow",
     "Ad – @glowlab | Morning routine with the new serum from @glowlab ✨\nHonestly cannot stop "
     "using it\n#skincare #glow"),
    # a rejected label opening the caption goes with its separator
    ("dk", "SPONS | Weekendtur til Bornholm med @øhopperne",
     "Reklame for @øhopperne | Weekendtur til Bornholm med @øhopperne"),
    ("dk", "Advertisement | Ny vinterjakke fra @nordkyst og den er så varm",
     "Reklame for @nordkyst | Ny vinterjakke fra @nordkyst og den er så varm"),
    # words inside a sentence stay: the label is put first, the sentence stays whole
    ("uk", "Gifted by @bookbarn, a stack of autumn reads 📚",
     "Ad – @bookbarn | Gifted by @bookbarn, a stack of autumn reads 📚"),
])
def test_fixed_captions_read_as_a_person_would_write_them(jurisdiction: str, caption: str,
                                                         fixed: str) -> None:
    result = Checker(jurisdiction).check(caption)
    assert apply_edits(caption, [e for f in result.findings for e in f.edits or ()]) == fixed


@pytest.mark.parametrize(("jurisdiction", "caption", "fixed"), [
    # the evidence itself is the creator's words: the label goes first, nothing is taken out
    ("dk", "Tak til @brand for gaven", "Reklame for @brand | Tak til @brand for gaven"),
    ("dk", "Ny jakke 🧥\nTak til @brand for gaven\nden er varm",
     "Reklame for @brand | Ny jakke 🧥\nTak til @brand for gaven\nden er varm"),
    # a hyphen inside a word is no separator
    ("dk", "PR-pakke fra @fjordbeauty 📦 i dag",
     "Reklame for @fjordbeauty | PR-pakke fra @fjordbeauty 📦 i dag"),
    ("us", "Gifted-by @brand: my new jacket", "Ad – @brand | Gifted-by @brand: my new jacket"),
    # two weak tags side by side both go, and the line they empty with them
    ("dk", "Ny jakke fra @brand, brug koden X10\n#sponsoreret #samarbejde\n#ootd",
     "Reklame for @brand | Ny jakke fra @brand, brug koden X10\n#ootd"),
    ("uk", "New coat from @brand\n#gifted #collab #autumn",
     "Ad – @brand | New coat from @brand\n#autumn"),
    # a caption that is only a weak label keeps its word
    ("dk", "Sponsoreret", "Reklame | Sponsoreret"),
    # CRLF lines are lines
    ("dk", "Sponsoreret\r\nNy jakke fra @brand, brug koden X10",
     "Reklame for @brand | Ny jakke fra @brand, brug koden X10"),
])
def test_fix_keeps_the_creators_words(jurisdiction: str, caption: str, fixed: str) -> None:
    result = Checker(jurisdiction).check(caption)
    assert apply_edits(caption, [e for f in result.findings for e in f.edits or ()]) == fixed


def test_edits_outside_the_text_are_ignored() -> None:
    assert apply_edits("hej", [Edit(2, 9, ""), Edit(-1, 1, "x")]) == "hej"
