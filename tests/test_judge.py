"""The engine's judgement, pinned down exactly: which words ``--fix`` takes out of a caption,
when words stand alone as a label, which conditions let a rule run, what a finding says and
where it points, and what ``judge`` returns besides the findings.

Fast unit tests (one spaCy pipeline per rule set, a few milliseconds a caption): they run in the
mutation test selection of ``[tool.mutmut]`` and stand for behaviour that the slow end-to-end
tests pin down only as a whole."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from skjult.caption import anatomy
from skjult.config import Config, Suppression
from skjult.engine import (
    TIMEOUT_MESSAGE,
    Reading,
    _applies,
    _edits,
    _metadata_signal,
    _standing_alone,
    _taken_out,
    judge,
)
from skjult.model import (
    Commercial,
    Disclosure,
    Edit,
    Finding,
    Post,
    PostResult,
    Severity,
    Signal,
    Strength,
    Verdict,
)
from skjult.normalize import normalize
from skjult.rules.evidence import Evidence
from skjult.rules.rule import Rule, Supersedes, When
from skjult.rules.ruleset import RuleSet, build_ruleset
from skjult.rules.vocabulary import REGEX_TIMEOUT
from skjult.run.judging import Judge

TODAY = dt.date(2025, 6, 1)
LABELS = {"label": "Reklame", "label_for": "Reklame for {brand}", "separator": " | "}


@pytest.fixture(scope="module")
def dk() -> Judge:
    """The Danish rule set with its matchers (``dk.ruleset``)."""
    return Judge(build_ruleset("dk", today=TODAY))


@pytest.fixture(scope="module")
def branded() -> Judge:
    """A configuration naming a brand and a campaign, with a suppression that lapsed the day
    before ``TODAY`` and one that holds through it."""
    config = Config(
        brands=("@solbærgården",),
        campaign=frozenset({"kampagne-12", "instagram.com/p/cx1"}),
        suppressions=(
            Suppression(rule="dk.label-missing", reason="own shop", creator="ida",
                        expires=dt.date(2025, 5, 31)),
            Suppression(rule="dk.label-rejected", reason="agreed with legal", creator="ida",
                        expires=dt.date(2025, 6, 1)),
        ),
    )
    return Judge(build_ruleset("dk", config=config, today=TODAY))


def read(judger: Judge, post: Post) -> Reading:
    """What the matchers find in a post's caption, as ``skjult.run`` hands it to ``judge``."""
    ruleset = judger.ruleset
    caption = anatomy(normalize(post.text), ruleset.pack.fold_for(post.platform))
    timeouts: list[str] = []
    hits = judger.vocabulary.find(judger.nlp.tokenizer(caption.text), caption.text, timeouts)
    assert not timeouts
    return Reading(caption, hits, timeouts)


def judged(judger: Judge, post: Post | str, ruleset: RuleSet | None = None, lang: str = "da"
           ) -> PostResult:
    post = Post(text=post) if isinstance(post, str) else post
    return judge(post, read(judger, post), ruleset or judger.ruleset, lang)


def span(text: str, words: str, nth: int = 0) -> tuple[int, int]:
    start = -1
    for _ in range(nth + 1):
        start = text.index(words, start + 1)
    return start, start + len(words)


def applied(text: str, edit: Edit) -> str:
    return text[:edit.start] + edit.text + text[edit.end:]


# -- _taken_out: the words and the blank they would leave ------------------------------------


@pytest.mark.parametrize(("text", "words", "edit", "after"), [
    # alone on a line in the middle: the line goes, with its line break
    ("Kaffe med @ristehuset ☕\n#reklame\n#kaffe #morgen", "#reklame", (24, 33),
     "Kaffe med @ristehuset ☕\n#kaffe #morgen"),
    ("Morgenkaffe\n#reklame\nmed @ristehuset\n#kaffe", "#reklame", (12, 21),
     "Morgenkaffe\nmed @ristehuset\n#kaffe"),
    ("\n#reklame\nNy kaffe fra @ristehuset", "#reklame", (1, 10), "\nNy kaffe fra @ristehuset"),
    ("God morgen\nNy kaffe fra @ristehuset\n#reklame\n#kaffe", "#reklame", (36, 45),
     "God morgen\nNy kaffe fra @ristehuset\n#kaffe"),
    ("  #reklame \t\nNy kaffe", "#reklame", (0, 13), "Ny kaffe"),
    # closing a line: the blanks before it go, the line break stays
    ("Ny kaffe fra @ristehuset #reklame\nGod morgen", "#reklame", (24, 33),
     "Ny kaffe fra @ristehuset\nGod morgen"),
    ("Ny kaffe \t #reklame\nGod morgen", "#reklame", (8, 19), "Ny kaffe\nGod morgen"),
    ("Ny kaffe#reklame\nGod morgen", "#reklame", (8, 16), "Ny kaffe\nGod morgen"),
    ("Prøvekørte en Model X #reklame\nTak @bilhuset", "#reklame", (21, 30),
     "Prøvekørte en Model X\nTak @bilhuset"),
    ("Første linje\nNy kaffe #reklame \nGod morgen", "#reklame", (21, 30),
     "Første linje\nNy kaffe \nGod morgen"),
    # the caption's last words: every blank before them goes, line breaks too
    ("Ny kaffe fra @ristehuset\n\n#reklame", "#reklame", (24, 34), "Ny kaffe fra @ristehuset"),
    ("Ny kaffe fra @ristehuset #reklame \n", "#reklame", (24, 35), "Ny kaffe fra @ristehuset"),
    ("Ny kaffe. Ad", "Ad", (9, 12), "Ny kaffe."),
    (" #reklame\n", "#reklame", (0, 10), ""),
    ("#reklame", "#reklame", (0, 8), ""),
    # opening a line: the blank, and a separator with its blanks, go
    ("#ad | Ny kaffe fra @ristehuset", "#ad", (0, 6), "Ny kaffe fra @ristehuset"),
    ("SPONS: ny kaffe", "SPONS", (0, 7), "ny kaffe"),
    ("#spons|Ny kaffe", "#spons", (0, 7), "Ny kaffe"),
    ("#ad\t–\tNy kaffe", "#ad", (0, 6), "Ny kaffe"),
    ("#spons Xbox-aften med @spilhuset", "#spons", (0, 7), "Xbox-aften med @spilhuset"),
    ("#spons | Xbox-aften med @spilhuset", "#spons", (0, 9), "Xbox-aften med @spilhuset"),
    ("#spons  •  ny kaffe", "#spons", (0, 11), "ny kaffe"),
    ("#spons ny kaffe | god morgen", "#spons", (0, 7), "ny kaffe | god morgen"),
    ("#ad ||ny kaffe", "#ad", (0, 5), "|ny kaffe"),
    ("God morgen\n#spons – ny kaffe\nfra @ristehuset", "#spons", (11, 20),
     "God morgen\nny kaffe\nfra @ristehuset"),
    ("Ny kaffe\n#spons |", "#spons", (9, 17), "Ny kaffe\n"),
    # inside a line: one blank before them goes with them
    ("Ny kaffe #reklame fra @ristehuset", "#reklame", (8, 17), "Ny kaffe fra @ristehuset"),
    ("Ny kaffe  #reklame fra @ristehuset", "#reklame", (9, 18), "Ny kaffe  fra @ristehuset"),
    ("Ny kaffe\t#reklame fra @ristehuset", "#reklame", (8, 17), "Ny kaffe fra @ristehuset"),
    ("Ny kaffe (#reklame) fra @ristehuset", "#reklame", (10, 18), "Ny kaffe () fra @ristehuset"),
    ("Burger fra MAX#reklame og @ristehuset", "#reklame", (14, 22), "Burger fra MAX og @ristehuset"),
    # lines ending in CRLF
    ("Ny kaffe\r\n#reklame\r\nGod morgen", "#reklame", (10, 20), "Ny kaffe\r\nGod morgen"),
    ("Ny kaffe #reklame\r\nGod morgen", "#reklame", (8, 17), "Ny kaffe\r\nGod morgen"),
    ("Ny kaffe\r\n\r\n#reklame", "#reklame", (8, 20), "Ny kaffe"),
    ("#spons | ny kaffe\r\nGod morgen", "#spons", (0, 9), "ny kaffe\r\nGod morgen"),
])
def test_taken_out_removes_the_words_and_the_blank_they_leave(text: str, words: str,
                                                              edit: tuple[int, int],
                                                              after: str) -> None:
    start, end = span(text, words)
    cut = _taken_out(text, start, end)
    assert cut == Edit(*edit, "")
    assert applied(text, cut) == after


def test_taken_out_finds_the_line_of_the_words_not_of_other_words() -> None:
    text = "Tak @ristehuset\nNy kaffe #reklame\nGod morgen #reklame"
    assert _taken_out(text, *span(text, "#reklame")) == Edit(24, 33, "")
    assert _taken_out(text, *span(text, "#reklame", 1)) == Edit(44, 53, "")


# -- _standing_alone: a label of its own, or words of a sentence --------------------------


@pytest.mark.parametrize(("text", "words"), [
    ("SPONS | Ny jakke fra @tøjhuset", "SPONS"),  # opening a line, a separator after it
    ("Sponsoreret: ny jakke", "Sponsoreret"),
    ("SPONS |", "SPONS"),
    ("SPONS |\nNy jakke", "SPONS"),
    ("SPONS\nNy jakke", "SPONS"),  # alone on its line
    ("SPONS", "SPONS"),
    ("SPONS \t\nNy jakke", "SPONS"),
    ("Ny jakke fra @tøjhuset\nSPONS – koden TØJ10", "SPONS"),
    ("Ny jakke\n\nSPONS | koden TØJ10", "SPONS"),
    ("Hej\nNy jakke fra @tøjhuset\nSPONS | koden TØJ10", "SPONS"),
    ("\nSPONS | ny jakke", "SPONS"),
    ("  \tSPONS\t|\tny jakke", "SPONS"),
    ("SPONS • ny jakke", "SPONS"),
    ("SPONS ·  ny jakke", "SPONS"),
    ("SPONS - ny jakke", "SPONS"),
    ("SPONS — ny jakke", "SPONS"),
    ("Ny jakke. Ad", "Ad"),  # closing a line after the end of a sentence
    ("Ny jakke! Ad\nGod weekend", "Ad"),
    ("Ny jakke! Ad \t\nGod weekend\nfra os", "Ad"),
    ("Ny jakke 🧥 Ad", "Ad"),
    ("Hej\nNy jakke. Ad", "Ad"),
    ("Ny jakke fra @tøjhuset. Ad", "Ad"),
    # lines ending in CRLF end there too
    ("SPONS\r\nNy jakke", "SPONS"),
    ("SPONS |\r\nNy jakke", "SPONS"),
    ("Ny jakke. Ad\r\nGod weekend", "Ad"),
    ("Ny jakke. Ad \r\nGod weekend", "Ad"),
])
def test_words_standing_alone(text: str, words: str) -> None:
    assert _standing_alone(text, *span(text, words)) is True


@pytest.mark.parametrize(("text", "words"), [
    ("Spons fra @tøjhuset", "Spons"),  # opening a line, words after it
    ("SPONS ny jakke | koden TØJ10", "SPONS"),
    ("Ny jakke\nSpons fra @tøjhuset", "Spons"),
    ("SPONS ❤", "SPONS"),
    ("SPONS-pakke fra @tøjhuset", "SPONS"),  # a separator glued to a word is part of it
    ("SPONS-Xbox til drengene", "SPONS"),
    ("SPONS •ny jakke", "SPONS"),
    ("SPONS :)", "SPONS"),
    ("SPONS |ny jakke\r\nmere", "SPONS"),
    ("Dag 1\n– SPONS | ny jakke", "SPONS"),  # something before it on its line
    ("Hej SPONS | ny jakke", "SPONS"),
    ("Jeg købte den i dag Ad", "Ad"),  # closing a line, but the end of a sentence
    ("Super lækker, Ad", "Ad"),
    ("Super lækker; Ad", "Ad"),
    ("Super lækker,\tAd\nGod weekend", "Ad"),
    ("Tusind tak for i dag! XX Ad", "Ad"),  # kisses are words too
    ("Ny jakke. Ad fra @tøjhuset", "Ad"),  # inside a line
    ("Ny jakke. Ad\t❤\nGod weekend", "Ad"),
    ("Ny jakke. Ad ❤\r\nGod weekend. Ad", "Ad"),
    ("Ny jakke fra @tøjhuset. Ad XX", "Ad"),  # kisses after it
])
def test_words_in_a_sentence(text: str, words: str) -> None:
    assert _standing_alone(text, *span(text, words)) is False


@pytest.mark.parametrize(("text", "words"), [
    ("\u00a0SPONS | ny jakke", "SPONS"),
    ("Ny jakke. Ad\u00a0\nGod weekend", "Ad"),
])
def test_words_standing_alone_between_no_break_spaces(text: str, words: str) -> None:
    assert _standing_alone(text, *span(text, words)) is True


# -- _edits: what --fix does for a finding ------------------------------------------------


def test_edits_need_an_autofix_and_a_label() -> None:
    assert _edits(None, LABELS, "#spons ny kaffe", None, 0, 6, "#spons") is None
    assert _edits("replace-with-label", {}, "#spons ny kaffe", None, 0, 6, "#spons") is None
    assert _edits("prepend-label", {"label_for": "Reklame for {brand}"}, "ny kaffe", "@x",
                  0, 2, "ny") is None


def test_prepend_label_puts_the_label_first_and_takes_nothing_out() -> None:
    text = "Ny kaffe fra @ristehuset #reklame"
    start, end = span(text, "#reklame")
    assert _edits("prepend-label", LABELS, text, None, start, end, "#reklame", True) == \
        (Edit(0, 0, "Reklame | ", unless_begins="Reklame"),)
    assert _edits("prepend-label", LABELS, text, "@ristehuset", start, end, "#reklame", True) == \
        (Edit(0, 0, "Reklame for @ristehuset | ", unless_begins="Reklame for @ristehuset"),)


def test_the_separator_is_the_packs_or_a_bar() -> None:
    english = {"label": "Ad", "label_for": "Ad – {brand}"}
    assert _edits("prepend-label", english, "new boots", "@ridgeline", 0, 3, "new") == \
        (Edit(0, 0, "Ad – @ridgeline | ", unless_begins="Ad – @ridgeline"),)
    assert _edits("prepend-label", {**english, "separator": ": "}, "new boots", None, 0, 3,
                  "new") == (Edit(0, 0, "Ad: ", unless_begins="Ad"),)


def test_a_label_without_label_for_still_puts_the_label_first() -> None:
    assert _edits("prepend-label", {"label": "Ad"}, "new boots", "@ridgeline", 0, 3, "new") == \
        (Edit(0, 0, "Ad | ", unless_begins="Ad"),)


LABEL_FIRST = Edit(0, 0, "Reklame for @ristehuset | ", unless_begins="Reklame for @ristehuset")


@pytest.mark.parametrize(("text", "words", "is_label", "cut"), [
    # a tag: always
    ("Ny kaffe #samarbejde fra @ristehuset", "#samarbejde", False, (8, 20)),
    ("Ny kaffe fra @ristehuset #reklame", "#reklame", True, (24, 33)),
    # a label's words standing alone at the start or end of a line
    ("SPONS | ny kaffe fra @ristehuset", "SPONS", True, (0, 8)),
    ("Ny kaffe fra @ristehuset. Spons", "Spons", True, (25, 31)),
    ("Ny kaffe fra @ristehuset\nSpons\nGod morgen", "Spons", True, (25, 31)),
    ("Betalt partnerskab | ny kaffe fra @ristehuset", "Betalt partnerskab", True, (0, 21)),
])
def test_replace_with_label_takes_out_a_tag_or_a_label_standing_alone(
        text: str, words: str, is_label: bool, cut: tuple[int, int]) -> None:
    start, end = span(text, words)
    assert _edits("replace-with-label", LABELS, text, "@ristehuset", start, end, words,
                  is_label) == (LABEL_FIRST, Edit(*cut, ""))


@pytest.mark.parametrize(("text", "words", "is_label"), [
    ("Spons fra @ristehuset på min nye kaffe", "Spons", True),  # words of a sentence stay
    ("Ny kaffe, spons\nGod morgen", "spons", True),
    # the evidence is the creator's own words, not a label: it stays
    ("SPONS | ny kaffe fra @ristehuset", "SPONS", False),
    ("Tak for gaven | ny kaffe", "Tak for gaven", True),  # three words are a sentence
    ("Tak @ristehuset | ny kaffe", "Tak @ristehuset", True),  # a tag is someone's name
    # nothing would be left of the caption
    ("#reklame", "#reklame", True),
    ("SPONS", "SPONS", True),
    ("#spons 🎁 ☕", "#spons", True),
])
def test_replace_with_label_leaves_other_words(text: str, words: str, is_label: bool) -> None:
    start, end = span(text, words)
    assert _edits("replace-with-label", LABELS, text, "@ristehuset", start, end, words,
                  is_label) == (LABEL_FIRST,)


def test_words_are_no_label_unless_a_label_term_set_found_them() -> None:
    text = "SPONS | ny kaffe fra @ristehuset"
    assert _edits("replace-with-label", LABELS, text, "@ristehuset", 0, 5, "SPONS") == \
        (LABEL_FIRST,)


@pytest.mark.parametrize("text", ["\nTur i skoven", "| tur i skoven", ""])
def test_a_finding_about_the_whole_post_takes_nothing_out(text: str) -> None:
    assert _edits("replace-with-label", LABELS, text, None, 0, 0, "", True) == \
        (Edit(0, 0, "Reklame | ", unless_begins="Reklame"),)


# -- _metadata_signal: evidence from a post's data, named by where it comes from ------------

FLAG = "platform flag: paid partnership"


@pytest.mark.parametrize(("declared", "meta", "signal"), [
    # an export's (or a library caller's) flag
    ((), {"paid_partnership": True}, Signal("meta.paid_partnership", Strength.HARD, FLAG)),
    ((), {"paid_partnership": True, "brand": "@lyshuset"},
     Signal("meta.paid_partnership", Strength.HARD, FLAG)),
    (("brand",), {"paid_partnership": True}, Signal("meta.paid_partnership", Strength.HARD, FLAG)),
    # a draft's front matter stating the partnership
    (("paid_partnership",), {"paid_partnership": True},
     Signal("draft.paid_partnership", Strength.HARD, "draft: paid partnership")),
    (("paid_partnership",), {"paid_partnership": True, "brand": "@lyshuset"},
     Signal("draft.paid_partnership", Strength.HARD, "draft: paid partnership")),
    # ... or naming the brand: the brand is the evidence
    (("brand", "paid_partnership"), {"paid_partnership": True, "brand": "@lyshuset"},
     Signal("draft.brand", Strength.HARD, "@lyshuset")),
    (("brand",), {"paid_partnership": True, "brand": "@lyshuset"},
     Signal("draft.brand", Strength.HARD, "@lyshuset")),
])
def test_metadata_signal_names_its_source(declared: tuple[str, ...], meta: dict[str, object],
                                          signal: Signal) -> None:
    post = Post(text="Ny lampe i stuen", meta=meta, declared=declared)
    assert _metadata_signal(post, "paid_partnership", Strength.HARD, FLAG) == signal


def test_metadata_signal_of_a_field_with_several_words() -> None:
    post = Post(text="Ny lampe", declared=("a_paid_trip_abroad",))
    assert _metadata_signal(post, "a_paid_trip_abroad", Strength.STRONG, "trip") == \
        Signal("draft.a_paid_trip_abroad", Strength.STRONG, "draft: a paid trip abroad")


@pytest.mark.parametrize(("declared", "meta", "signal", "words"), [
    ((), {"paid_partnership": True}, Signal("meta.paid_partnership", Strength.HARD, FLAG),
     "platformens markering: betalt partnerskab"),
    (("paid_partnership",), {"paid_partnership": True},
     Signal("draft.paid_partnership", Strength.HARD, "draft: paid partnership"),
     "udkastet angiver betalt partnerskab"),
    (("brand", "paid_partnership"), {"paid_partnership": True, "brand": "@lyshuset"},
     Signal("draft.brand", Strength.HARD, "@lyshuset"), "udkastet angiver @lyshuset som annoncør"),
])
def test_a_post_commercial_by_its_data_alone(dk: Judge, declared: tuple[str, ...],
                                             meta: dict[str, object], signal: Signal,
                                             words: str) -> None:
    result = judged(dk, Post(text="Søndagstur i skoven med hele familien", meta=meta,
                             declared=declared))
    assert result.commercial == Commercial(Strength.HARD, (signal,), False, (signal,))
    [finding] = result.findings
    assert (finding.rule, finding.whole_post, finding.start, finding.end, finding.line,
            finding.column, finding.text) == ("dk.label-missing", True, 0, 0, 1, 1, "")
    assert finding.message == f"Opslaget er kommercielt ({words}), men er ikke markeret som reklame."


# -- _commercial: how commercial a post is, and on what --------------------------------------


def test_a_post_on_the_campaign_list_by_id_or_url(branded: Judge) -> None:
    manifest = Signal("config.campaign", Strength.HARD, "campaign manifest")
    for post in (Post(text="Aftensmad i haven 🌻", id="kampagne-12"),
                 Post(text="Aftensmad i haven 🌻", url="https://www.instagram.com/p/CX1/?igsh=q1"),
                 Post(text="Aftensmad i haven 🌻", id="ukendt-1", url="www.instagram.com/p/cx1/")):
        result = judged(branded, post)
        assert result.commercial == Commercial(Strength.HARD, (manifest,), False, (manifest,))
        assert result.verdict is Verdict.VIOLATION
    other = judged(branded, Post(text="Aftensmad i haven 🌻", id="kampagne-13",
                                 url="https://www.instagram.com/p/cx2/"))
    assert other.commercial == Commercial(Strength.NONE)
    assert other.verdict is Verdict.NOT_COMMERCIAL


def test_a_configured_brand_named_only_by_the_posts_data(branded: Judge) -> None:
    named = Signal("config.brands", Strength.STRONG, "@Solbærgården")
    result = judged(branded, Post(text="Aftensmad i haven 🌻", meta={"brand": "@Solbærgården"}))
    assert result.commercial == Commercial(Strength.STRONG, (named,), False, (named,))
    assert result.advertiser == "@Solbærgården"
    [finding] = result.findings
    assert finding.whole_post and finding.message == (
        "Opslaget er kommercielt (opslagets data angiver @Solbærgården, et brand fra "
        "konfigurationen), men er ikke markeret som reklame.")
    # a brand the configuration does not name is no evidence
    assert judged(branded, Post(text="Aftensmad i haven 🌻", meta={"brand": "@andetsted"})
                  ).commercial == Commercial(Strength.NONE)


def test_a_configured_brand_in_the_caption_is_the_words_not_the_data(branded: Judge) -> None:
    caption = "Aftensmad med @solbærgården 🌻"
    shown = Signal("config.brands", Strength.STRONG, "@solbærgården", 14, 27)
    result = judged(branded, Post(text=caption, meta={"brand": "@solbærgården"}))
    assert result.commercial == Commercial(Strength.STRONG, (shown,), False, (shown,))
    [finding] = result.findings
    assert (finding.whole_post, finding.start, finding.end, finding.text) == \
        (False, 14, 27, "@solbærgården")


def test_signals_strongest_first_data_before_words(branded: Judge) -> None:
    caption = "Tak for gaven @lyshuset 🎁 og link i bio"
    result = judged(branded, Post(text=caption, meta={"brand": "@Solbærgården"}))
    assert [(s.termset, s.strength, s.start) for s in result.commercial.signals] == [
        ("config.brands", Strength.STRONG, None),
        ("dk.label-gift", Strength.STRONG, 0),
        ("dk.gift-from", Strength.STRONG, 0),
        ("dk.call-to-buy", Strength.WEAK, 29),
    ]


def test_signals_of_one_strength_in_caption_order_whatever_the_matchers_order(dk: Judge) -> None:
    post = Post(text="Ny lampe fra @lyshuset, link i bio. Brug koden LYS20 ✨")
    reading = read(dk, post)
    reading.hits = dict(reversed(reading.hits.items()))
    result = judge(post, reading, dk.ruleset)
    assert [(s.termset, s.strength, s.text, s.start, s.end) for s in result.commercial.signals] == [
        ("dk.discount-code", Strength.HARD, "koden LYS20", 41, 52),
        ("dk.brand-product", Strength.WEAK, "fra @lyshuset", 9, 22),
        ("dk.call-to-buy", Strength.WEAK, "link i bio", 24, 34),
    ]


@pytest.mark.parametrize(("caption", "level", "basis"), [
    # hard evidence stands against "ikke reklame"
    ("Ikke reklame. Brug koden LYS20 hos @lyshuset", Strength.HARD,
     [("dk.discount-code", "koden LYS20")]),
    # strong evidence becomes a question for a human, on the same cues
    ("Ikke reklame, men tak for gaven @lyshuset", Strength.WEAK,
     [("dk.label-gift", "tak for gaven"), ("dk.gift-from", "tak for gaven")]),
    # weak cues are outweighed: nothing is left to rest on
    ("Selvkøbt lampe fra @lyshuset, link i bio", Strength.NONE, []),
])
def test_a_self_declaration_lowers_strong_evidence_not_hard(dk: Judge, caption: str,
                                                            level: Strength,
                                                            basis: list[tuple[str, str]]) -> None:
    commercial = judged(dk, caption).commercial
    assert commercial.level is level
    assert commercial.self_declared is True
    assert [(s.termset, s.text) for s in commercial.basis] == basis


def test_without_a_self_declaration(dk: Judge) -> None:
    commercial = judged(dk, "Ny lampe fra @lyshuset, link i bio").commercial
    assert commercial.self_declared is False
    assert commercial.level is Strength.WEAK
    assert [(s.termset, s.text) for s in commercial.basis] == \
        [("dk.brand-product", "fra @lyshuset"), ("dk.call-to-buy", "link i bio")]


# -- _applies: the conditions under which a rule is checked at all ------------------------


def evidence(judger: Judge, post: Post, level: Strength = Strength.NONE,
             audience: str | None = None) -> Evidence:
    reading = read(judger, post)
    return Evidence(post, reading.caption, reading.hits, Commercial(level), judger.ruleset.termsets,
                    None, "", audience)


def rule_when(judger: Judge, **when: object) -> Rule:
    return dataclasses.replace(judger.ruleset.pack.rule("dk.label-rejected"), when=When(**when))


DANISH = "Min nye lampe fra @lyshuset er kommet op i stuen, og den er så fin"
ENGLISH = "My new lamp from @lyshuset is up in the living room and it is so nice"


def test_a_rule_without_conditions_always_applies(dk: Judge) -> None:
    assert _applies(rule_when(dk), evidence(dk, Post(text="")))


@pytest.mark.parametrize(("level", "applies"), [
    (Strength.HARD, True), (Strength.STRONG, True), (Strength.WEAK, False), (Strength.NONE, False)])
def test_when_commercial(dk: Judge, level: Strength, applies: bool) -> None:
    rule = rule_when(dk, commercial=frozenset({Strength.STRONG, Strength.HARD}))
    assert _applies(rule, evidence(dk, Post(text=DANISH), level)) is applies


@pytest.mark.parametrize(("present", "caption", "applies"), [
    (("dk.mention",), DANISH, True),
    (("dk.mention",), "Min nye lampe er kommet op", False),
    (("dk.mention", "dk.discount-code"), DANISH + ", koden LYS20", True),
    (("dk.mention", "dk.discount-code"), DANISH, False),
    (("dk.discount-code", "dk.mention"), "Brug koden LYS20", False),
])
def test_when_present_needs_every_term_set(dk: Judge, present: tuple[str, ...], caption: str,
                                           applies: bool) -> None:
    assert _applies(rule_when(dk, present=present), evidence(dk, Post(text=caption))) is applies


@pytest.mark.parametrize(("absent", "caption", "applies"), [
    (("dk.label",), DANISH, True),
    (("dk.label",), "Reklame for @lyshuset | ny lampe", False),
    (("dk.label", "dk.discount-code"), DANISH + ", koden LYS20", False),
])
def test_when_absent_needs_none_of_the_term_sets(dk: Judge, absent: tuple[str, ...],
                                                 caption: str, applies: bool) -> None:
    assert _applies(rule_when(dk, absent=absent), evidence(dk, Post(text=caption))) is applies


@pytest.mark.parametrize(("caption", "language", "applies"), [
    (DANISH, "da", True), (ENGLISH, "en", False)])
def test_when_language(dk: Judge, caption: str, language: str, applies: bool) -> None:
    ev = evidence(dk, Post(text=caption))
    assert ev.caption.language == language
    assert _applies(rule_when(dk, language=frozenset({"da"})), ev) is applies


@pytest.mark.parametrize(("audience", "applies"), [("minors", True), ("adults", False), (None, False)])
def test_when_audience(dk: Judge, audience: str | None, applies: bool) -> None:
    rule = rule_when(dk, audience=frozenset({"minors"}))
    assert _applies(rule, evidence(dk, Post(text=DANISH), audience=audience)) is applies


@pytest.mark.parametrize(("platform", "applies"), [
    ("instagram", True), ("Instagram", True), ("TikTok", True), ("youtube", False), (None, False)])
def test_when_platform_in_any_case(dk: Judge, platform: str | None, applies: bool) -> None:
    rule = rule_when(dk, platform=frozenset({"instagram", "tiktok"}))
    assert _applies(rule, evidence(dk, Post(text=DANISH, platform=platform))) is applies


def test_every_condition_must_hold(dk: Judge) -> None:
    rule = rule_when(dk, commercial=frozenset({Strength.HARD}), present=("dk.mention",),
                     absent=("dk.label",), language=frozenset({"da"}),
                     audience=frozenset({"minors"}), platform=frozenset({"instagram"}))
    post = Post(text=DANISH, platform="instagram")
    assert _applies(rule, evidence(dk, post, Strength.HARD, "minors"))
    assert not _applies(rule, evidence(dk, post, Strength.STRONG, "minors"))
    assert not _applies(rule, evidence(dk, post, Strength.HARD, "adults"))
    assert not _applies(rule, evidence(dk, Post(text=ENGLISH, platform="instagram"),
                                       Strength.HARD, "minors"))
    assert not _applies(rule, evidence(dk, Post(text=DANISH, platform="tiktok"), Strength.HARD,
                                       "minors"))
    assert not _applies(rule, evidence(dk, Post(text="Reklame | " + DANISH, platform="instagram"),
                                       Strength.HARD, "minors"))


def test_a_creators_audience_comes_from_the_configuration(dk: Judge) -> None:
    ruleset = build_ruleset("dk", config=Config(audiences={"bo": "minors"}), today=TODAY)
    caption = "Sponsoreret af @slikbutikken 🍭 nye bolcher"
    rules = {f.rule for f in judged(dk, Post(text=caption, creator="bo"), ruleset).findings}
    assert "dk.minors-weak-label" in rules
    for post in (Post(text=caption, creator="ole"), Post(text=caption)):
        assert "dk.minors-weak-label" not in {f.rule for f in judged(dk, post, ruleset).findings}
    # the post's own data wins over the configuration
    adults = Post(text=caption, creator="bo", meta={"audience": "adults"})
    assert "dk.minors-weak-label" not in {f.rule for f in judged(dk, adults, ruleset).findings}


# -- _timed_out: a rule that could not judge the caption ----------------------------------


def timed_out(judger: Judge, post: Post, termsets: list[str], ruleset: RuleSet | None = None,
              lang: str = "da") -> PostResult:
    reading = read(judger, post)
    reading.timeouts.extend(termsets)
    return judge(post, reading, ruleset or judger.ruleset, lang)


def test_a_timed_out_pattern_is_a_finding_against_each_rule_using_it(dk: Judge) -> None:
    rules = dk.ruleset.users["dk.label-rejected"]
    assert [r.id for r in rules] == ["dk.label-english-buried", "dk.label-missing",
                                     "dk.label-rejected"]
    result = timed_out(dk, Post(text="Reklame for @lyshuset | ny lampe"),
                       ["dk.label-rejected", "dk.label-rejected"])  # named once per pattern
    message = ("Et mønster i termsættet dk.label-rejected brugte mere end 1000 ms på denne tekst "
               "og blev stoppet; reglen kunne ikke vurdere opslaget. Tjek det manuelt, og ret "
               "mønsteret.")
    assert result.findings == tuple(
        Finding(r.id, r.category, Severity.WARNING, message, 0, 0, 1, 1, "", None, r.source,
                whole_post=True) for r in rules)
    assert result.notes == ()
    assert result.verdict is Verdict.WARNING


def test_a_timed_out_pattern_in_english_and_with_the_default_time_out(dk: Judge) -> None:
    termset = dataclasses.replace(dk.ruleset.termsets["dk.label-rejected"], timeout=None)
    ruleset = dataclasses.replace(dk.ruleset, termsets={**dk.ruleset.termsets,
                                                        termset.id: termset})
    result = timed_out(dk, Post(text="Reklame for @lyshuset | ny lampe"), ["dk.label-rejected"],
                       ruleset, "en")
    ms = int(REGEX_TIMEOUT * 1000)
    assert {f.message for f in result.findings} == {TIMEOUT_MESSAGE["en"].format(
        termset="dk.label-rejected", ms=ms)}
    assert f"more than {ms} ms" in result.findings[0].message


def test_timed_out_findings_come_first_and_a_set_no_rule_uses_is_a_note(dk: Judge) -> None:
    result = timed_out(dk, Post(text="Brug koden LYS20 hos @lyshuset"),
                       ["dk.discount-code", "dk.label-english", "dk.discount-code"])
    assert result.notes == ("pattern of term set dk.discount-code timed out and was skipped",)
    users = [r.id for r in dk.ruleset.users["dk.label-english"]]
    assert [f.rule for f in result.findings] == [*users, "dk.label-missing"]
    assert [f.whole_post for f in result.findings] == [True] * len(users) + [False]
    assert result.verdict is Verdict.VIOLATION


# -- _finding: what a finding says and where it points -------------------------------------

PROBE = {"da": "tekst={text} brand={brand} for={brand_for} grund={evidence} andet={andet}",
         "en": "text={text} brand={brand} for={brand_for} why={evidence} other={other}"}
PROBE_FIX = {"da": "Skriv »Reklame{brand_for}« i stedet for »{text}«",
             "en": "Write \"Reklame{brand_for}\" instead of \"{text}\""}


def probing(judger: Judge, **changes: object) -> RuleSet:
    """The rule set with one rule: every »SPONS« is a finding whose texts show the values."""
    rule = dataclasses.replace(judger.ruleset.pack.rule("dk.label-rejected"),
                               **{"id": "dk.probe", "message": PROBE, "fix": PROBE_FIX, **changes})
    return dataclasses.replace(judger.ruleset, rules=(rule,), superseding={})


@pytest.mark.parametrize(("caption", "lang", "message", "fix"), [
    ("SPONS | Ny lampe fra @lyshuset, brug koden LYS20", "da",
     "tekst=SPONS brand=@lyshuset for= for @lyshuset grund=»koden LYS20« andet={andet}",
     "Skriv »Reklame for @lyshuset« i stedet for »SPONS«"),
    ("SPONS | Ny lampe fra @lyshuset, brug koden LYS20", "en",
     "text=SPONS brand=@lyshuset for= for @lyshuset why=\"koden LYS20\" other={other}",
     "Write \"Reklame for @lyshuset\" instead of \"SPONS\""),
    ("SPONS | Ny lampe, brug koden LYS20", "da",
     "tekst=SPONS brand= for= grund=»koden LYS20« andet={andet}",
     "Skriv »Reklame« i stedet for »SPONS«"),
    ("𝐒𝐏𝐎𝐍𝐒 | Ny lampe", "da", "tekst=𝐒𝐏𝐎𝐍𝐒 brand= for= grund=»𝐒𝐏𝐎𝐍𝐒« andet={andet}",
     "Skriv »Reklame« i stedet for »𝐒𝐏𝐎𝐍𝐒«"),
])
def test_finding_values_for_the_message_and_fix(dk: Judge, caption: str, lang: str,
                                                message: str, fix: str) -> None:
    [finding] = judged(dk, caption, probing(dk), lang).findings
    assert (finding.rule, finding.message, finding.fix) == ("dk.probe", message, fix)


def test_a_finding_without_fix_text(dk: Judge) -> None:
    [finding] = judged(dk, "SPONS | Ny lampe", probing(dk, fix={})).findings
    assert finding.fix is None


def test_a_finding_points_at_the_words_as_written(dk: Judge) -> None:
    caption = "Ny lampe 💡\nfra @lyshuset\n\u200bkoden LYS20 – 𝐬𝐩𝐨𝐧𝐬 ❤"
    [finding] = judged(dk, caption, probing(dk)).findings
    start = caption.index("𝐬𝐩𝐨𝐧𝐬")
    assert finding == Finding(
        "dk.probe", "label-weak", Severity.ERROR,
        "tekst=𝐬𝐩𝐨𝐧𝐬 brand=@lyshuset for= for @lyshuset grund=»koden LYS20« andet={andet}",
        start, start + 5, 3, 16, "𝐬𝐩𝐨𝐧𝐬", "Skriv »Reklame for @lyshuset« i stedet for »𝐬𝐩𝐨𝐧𝐬«",
        dk.ruleset.pack.rule("dk.label-rejected").source,
        edits=(Edit(0, 0, "Reklame for @lyshuset | ", unless_begins="Reklame for @lyshuset"),))


def test_a_finding_about_the_whole_post(dk: Judge) -> None:
    result = judged(dk, Post(text="Ny lampe 💡\ni stuen", meta={"paid_partnership": True}))
    rule = dk.ruleset.pack.rule("dk.label-missing")
    assert result.findings == (Finding(
        "dk.label-missing", "label-missing", Severity.ERROR,
        "Opslaget er kommercielt (platformens markering: betalt partnerskab), men er ikke markeret "
        "som reklame.", 0, 0, 1, 1, "", "Start opslaget med »Reklame |«.", rule.source,
        whole_post=True, edits=(Edit(0, 0, "Reklame | ", unless_begins="Reklame"),)),)


def test_fix_takes_out_labels_not_evidence(dk: Judge) -> None:
    caption = "SPONS | Ny lampe fra @lyshuset\nkoden LYS20"
    first = Edit(0, 0, "Reklame for @lyshuset | ", unless_begins="Reklame for @lyshuset")
    [finding] = judged(dk, caption).findings
    assert (finding.rule, finding.edits) == ("dk.label-rejected", (first, Edit(0, 8, "")))
    # the code stands alone on its line too, but it is the creator's words, not a label
    probe = probing(dk, termsets=("dk.discount-code",))
    [finding] = judged(dk, caption, probe).findings
    assert (finding.text, finding.edits) == ("koden LYS20", (first,))


def superseding(judger: Judge, instead: Supersedes, ruleset: RuleSet | None = None) -> RuleSet:
    """The rule set with dk.label-missing standing for dk.label-weak as ``instead`` says."""
    ruleset = ruleset or judger.ruleset
    rules = tuple(dataclasses.replace(r, supersedes=instead) if r.id == "dk.label-missing" else r
                  for r in ruleset.rules)
    return dataclasses.replace(ruleset, rules=rules,
                               superseding={**ruleset.superseding, "dk.label-missing": instead})


def test_a_finding_standing_for_another_has_its_own_texts_and_autofix(dk: Judge) -> None:
    instead = Supersedes(rules=("dk.label-weak",),
                         message={"da": "»{text}« er ingen markering{brand_for}",
                                  "en": "\"{text}\" is no label{brand_for}"},
                         fix={"da": "Skriv Reklame{brand_for} først", "en": "Write Reklame first"},
                         autofix="replace-with-label")
    caption = "Julebryggen fra @kaffebaren er landet ☕ #samarbejde"
    [finding] = judged(dk, caption, superseding(dk, instead)).findings
    assert (finding.rule, finding.supersedes, finding.message, finding.fix, finding.edits) == (
        "dk.label-missing", ("dk.label-weak",), "»#samarbejde« er ingen markering for @kaffebaren",
        "Skriv Reklame for @kaffebaren først",
        (Edit(0, 0, "Reklame for @kaffebaren | ", unless_begins="Reklame for @kaffebaren"),
         Edit(39, 51, "")))
    # what ``supersedes`` leaves out is the rule's own
    plain = judged(dk, caption, superseding(dk, Supersedes(rules=("dk.label-weak",)))).findings
    assert [(f.rule, f.supersedes, f.message, f.fix, f.edits) for f in plain] == [(
        "dk.label-missing", ("dk.label-weak",),
        "Opslaget er kommercielt (»#samarbejde«), men er ikke markeret som reklame.",
        "Start opslaget med »Reklame for @kaffebaren |«.",
        (Edit(0, 0, "Reklame for @kaffebaren | ", unless_begins="Reklame for @kaffebaren"),))]


# -- judge: the result besides the findings -------------------------------------------------


def test_judge_speaks_danish_unless_told(dk: Judge) -> None:
    post = Post(text="Brug koden LYS20 hos @lyshuset")
    danish = judge(post, read(dk, post), dk.ruleset)
    english = judge(post, read(dk, post), dk.ruleset, "en")
    assert [f.message for f in danish.findings] == \
        ["Opslaget er kommercielt (»koden LYS20«), men er ikke markeret som reklame."]
    assert [f.message for f in english.findings] == \
        ["The post is commercial (\"koden LYS20\") but is not marked as an advertisement."]


@pytest.mark.parametrize(("caption", "language"), [(DANISH, "da"), (ENGLISH, "en"),
                                                   ("🌻🌻🌻", "unknown")])
def test_judge_gives_the_captions_language(dk: Judge, caption: str, language: str) -> None:
    assert judged(dk, caption).language == language


@pytest.mark.parametrize(("post", "advertiser"), [
    (Post(text="Ny lampe fra @lyshuset, brug koden LYS20"), "@lyshuset"),
    (Post(text="Ny lampe fra 𝐋𝐲𝐬𝐡𝐮𝐬𝐞𝐭, brug koden LYS20 @𝐥𝐲𝐬𝐡𝐮𝐬𝐞𝐭 @lampeland"), "@𝐥𝐲𝐬𝐡𝐮𝐬𝐞𝐭"),
    # the post's data names the advertiser before the caption does
    (Post(text="Ny lampe fra @lyshuset, brug koden LYS20", meta={"brand": "Lampeland"}),
     "Lampeland"),
    (Post(text="Ny lampe i stuen, brug koden LYS20"), None),
])
def test_judge_names_the_advertiser(dk: Judge, post: Post, advertiser: str | None) -> None:
    result = judged(dk, post)
    assert result.advertiser == advertiser
    [finding] = result.findings
    assert finding.fix == f"Start opslaget med »Reklame{f' for {advertiser}' if advertiser else ''} |«."


def test_judge_suppresses_and_reports_lapsed_suppressions(branded: Judge) -> None:
    lapsed, active = branded.ruleset.suppressions
    caption = "SPONS | Ny lampe fra @lyshuset, brug koden LYS20"
    result = judged(branded, Post(text=caption, creator="ida"))
    [suppressed] = result.suppressed
    assert (suppressed.finding.rule, suppressed.by) == ("dk.label-rejected", active)
    assert result.findings == () and result.lapsed == ()
    assert result.verdict is Verdict.COMPLIANT
    result = judged(branded, Post(text="Ny lampe fra @lyshuset, brug koden LYS20", creator="ida"))
    assert [f.rule for f in result.findings] == ["dk.label-missing"]
    assert result.lapsed == (lapsed,) and result.suppressed == ()
    assert result.verdict is Verdict.VIOLATION
    other = judged(branded, Post(text=caption, creator="ole"))
    assert [f.rule for f in other.findings] == ["dk.label-rejected"]
    assert (other.suppressed, other.lapsed) == ((), ())


def test_judge_keeps_the_post_and_changes_nothing(dk: Judge) -> None:
    post = Post(text="Brug koden LYS20 hos @lyshuset", id="p1", creator="ida")
    reading = read(dk, post)
    hits = {tid: list(found) for tid, found in reading.hits.items()}
    first = judge(post, reading, dk.ruleset)
    assert first.post is post
    assert reading.hits == hits
    assert judge(post, reading, dk.ruleset) == first


# -- _disclosures: the labels found, accepted or not ----------------------------------------


def test_disclosures_in_caption_order_whatever_the_matchers_order(dk: Judge) -> None:
    caption = "Ny lampe fra @lyshuset #samarbejde\nkoden LYS20\n#reklame #lys"
    post = Post(text=caption)
    reading = read(dk, post)
    reading.hits = {"dk.mention": reading.hits.pop("dk.mention"),
                    **dict(reversed(reading.hits.items()))}
    assert judge(post, reading, dk.ruleset).disclosures == (
        Disclosure("weak", "#samarbejde", 23, 34, "dk.label-weak"),
        Disclosure("label", "#reklame", 47, 55, "dk.label"),
    )


def test_disclosures_are_the_words_as_written(dk: Judge) -> None:
    caption = "Ny lampe 💡 ʀᴇᴋʟᴀᴍᴇ for @lyshuset"
    assert judged(dk, caption).disclosures == (Disclosure("label", "ʀᴇᴋʟᴀᴍᴇ", 11, 18, "dk.label"),)


# -- _findings and _merged: order, and one problem one finding ------------------------------


def test_findings_by_position_then_most_severe_first(dk: Judge) -> None:
    ruleset = build_ruleset("dk", config=Config(severity={"dk.label-missing": Severity.INFO}),
                            today=TODAY)
    caption = "Julebryggen fra @kaffebaren er landet ☕ #samarbejde"
    assert [(f.rule, f.severity, f.start) for f in judged(dk, caption, ruleset).findings] == [
        ("dk.label-weak", Severity.WARNING, 40), ("dk.label-missing", Severity.INFO, 40)]
    caption = "Denne te forebygger forkølelse. Tak for gaven @tehuset"
    assert [(f.rule, f.start) for f in judged(dk, caption).findings] == [
        ("dk.health-claim", 9), ("dk.label-missing", 32)]


def test_a_finding_stands_for_one_as_severe_on_the_same_words(dk: Judge) -> None:
    ruleset = build_ruleset("dk", config=Config(severity={"dk.label-weak": Severity.ERROR}),
                            today=TODAY)
    [finding] = judged(dk, "Julebryggen fra @kaffebaren er landet ☕ #samarbejde", ruleset).findings
    assert (finding.rule, finding.severity, finding.supersedes) == \
        ("dk.label-missing", Severity.ERROR, ("dk.label-weak",))


def test_findings_merge_after_an_unrelated_finding(dk: Judge) -> None:
    caption = "Denne te forebygger forkølelse. Tak for gaven @tehuset"
    assert [(f.rule, f.supersedes) for f in judged(dk, caption).findings] == [
        ("dk.health-claim", ()), ("dk.label-missing", ("dk.label-weak",))]
