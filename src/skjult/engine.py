"""The judgement of one post: evidence → findings → verdict.

``judge`` takes a post, what the matchers found in its caption (a ``Reading``, made by
``skjult.run``) and the rule set, and returns the ``PostResult``. It changes nothing it is
given and keeps no state, so the same post judged twice, here or in a worker, gives the same
result. Offsets: the matchers work on the normalized caption; every span is mapped back to the
caption as written once, by ``_Words``, and the words are cut from that same text."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field

from skjult.caption import Caption
from skjult.config import post_key
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
from skjult.rules.evidence import Evidence, Mark, reason
from skjult.rules.kinds import REGISTRY
from skjult.rules.rule import Rule, Supersedes
from skjult.rules.ruleset import RuleSet, brand_key
from skjult.rules.vocabulary import REGEX_TIMEOUT, Hit, overlapping
from skjult.suppress import apply_suppressions

DISCLOSURE_KINDS = {"label": "label", "weak-label": "weak"}


@dataclass(slots=True)
class Reading:
    """What the matchers found in one post's caption (see ``skjult.run.scan``)."""

    caption: Caption
    hits: dict[str, list[Hit]]  # term set -> hits, offsets into the normalized caption
    timeouts: list[str] = field(default_factory=list)  # term sets whose pattern was stopped


class _Message(dict[str, str]):
    """Leaves unknown ``{placeholders}`` as they are instead of failing."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


class _Words:
    """Spans of the normalized caption as spans and words of the caption as written."""

    def __init__(self, post: Post, caption: Caption):
        self.text = post.text
        self._normalized = caption.normalized

    def words(self, start: int, end: int) -> tuple[int, int, str]:
        """The span as written, and the words there."""
        begin, stop = self._normalized.to_original(start, end)
        return begin, stop, self.text[begin:stop]


def judge(post: Post, reading: Reading, ruleset: RuleSet, lang: str = "da") -> PostResult:
    """The verdict on one post, with its findings in ``lang`` ("da" or "en")."""
    caption = reading.caption
    words = _Words(post, caption)
    hits = _cancelled(reading.hits, ruleset)
    audience = post.meta.audience or ruleset.config.audiences.get(post.creator or "")
    commercial, anchor = _commercial(post, hits, ruleset, words)
    evidence = Evidence(post, caption, hits, commercial, ruleset.termsets, anchor,
                        reason(commercial, lang), audience)
    brand = _brand(evidence, ruleset, words)
    disclosures = _disclosures(hits, ruleset, words)
    labels = frozenset((d.start, d.end) for d in disclosures)  # words --fix may take out
    findings, variants = _findings(evidence, ruleset, brand, words, lang, labels)
    notes: list[str] = []
    if reading.timeouts:
        findings = _timed_out(reading.timeouts, ruleset, notes, lang) + findings
    findings, suppressed, lapsed = apply_suppressions(post, findings, ruleset.suppressions,
                                                      ruleset.today)
    if variants:  # after suppressions: what they accept is judged finding by finding
        findings = _merged(findings, variants, ruleset.superseding)
    return PostResult(post, _verdict(commercial, findings), commercial, disclosures, findings,
                      caption.language, tuple(notes), brand, suppressed, lapsed)


def _cancelled(found: dict[str, list[Hit]], ruleset: RuleSet) -> dict[str, list[Hit]]:
    """"ikke reklame" holds the word "reklame": a self-declaration cancels what it contains
    (as does any term set with ``cancels``)."""
    hits = dict(found)
    termsets = ruleset.termsets
    for declared in ruleset.cancelling:
        spans = hits.get(declared.id)
        if not spans:
            continue
        for tid in list(hits):
            if termsets[tid].kind in declared.cancels:
                cancelled = set(overlapping(hits[tid], spans))
                hits[tid] = [h for h in hits[tid] if h not in cancelled]
                if not hits[tid]:
                    del hits[tid]
    return hits


def _commercial(post: Post, hits: dict[str, list[Hit]], ruleset: RuleSet, words: _Words
                ) -> tuple[Commercial, tuple[int, int] | None]:
    termsets = ruleset.termsets
    signals: list[Signal] = []
    for meta in ruleset.pack.metadata:
        if post.meta.get(meta.field):
            signals.append(_metadata_signal(post, meta.field, meta.strength, meta.title))
    campaign = ruleset.config.campaign
    if campaign and any(post_key(v) in campaign for v in (post.id, post.url) if v):
        signals.append(Signal("config.campaign", Strength.HARD, "campaign manifest"))
    where: dict[tuple[int, int], tuple[int, int]] = {}  # span as written -> normalized span
    for tid, found in hits.items():
        termset = termsets[tid]
        if termset.strength is Strength.NONE:
            continue
        for h in found:
            start, end, text = words.words(h.start, h.end)
            where.setdefault((start, end), (h.start, h.end))
            signals.append(Signal(tid, termset.strength, text, start, end))
    named = post.meta.brand
    if named and "config.brands" not in hits and brand_key(named) in ruleset.brand_keys:
        # a configured brand named only by the post's data (a sponsor or brand column)
        signals.append(Signal("config.brands", termsets["config.brands"].strength, named))
    level, basis = ruleset.weighing.weigh(signals, termsets)
    declared = [termsets[t] for t in hits if termsets[t].kind == "self-declared"]
    if declared and Strength.NONE < level < min(t.respected_below for t in declared):
        # "Ikke reklame" outweighs weak cues and turns strong evidence (a gift) into a
        # question for a human; it cannot stand against hard evidence (a code, a link).
        level = Strength(level - 1)
        if level is Strength.NONE:
            basis = ()
    signals.sort(key=lambda s: (-s.strength, s.start if s.start is not None else -1))
    placed = [where[(s.start, s.end)] for s in basis if s.start is not None and s.end is not None]
    # An absence finding points at the first cue in the text the level rests on; with none
    # (a platform flag, a campaign list, a draft's front matter), at the whole post.
    anchor = placed[0] if placed else None
    return Commercial(level, tuple(signals), bool(declared), basis), anchor


def _applies(rule: Rule, ev: Evidence) -> bool:
    when = rule.when
    if when.commercial is not None and ev.commercial.level not in when.commercial:
        return False
    if when.present and not all(t in ev.hits for t in when.present):
        return False
    if when.absent and ev.has(when.absent):
        return False
    if when.language is not None and ev.caption.language not in when.language:
        return False
    if when.audience is not None and ev.audience not in when.audience:
        return False
    return when.platform is None or (ev.post.platform or "").lower() in when.platform


def _findings(ev: Evidence, ruleset: RuleSet, brand: str | None, words: _Words, lang: str,
              labels: frozenset[tuple[int, int]] = frozenset()
              ) -> tuple[tuple[Finding, ...], dict[Finding, Finding]]:
    """The findings, and for those of rules that supersede others the finding to report
    instead when it does (``supersedes`` in the rule: its own message, fix and autofix)."""
    findings: list[Finding] = []
    variants: dict[Finding, Finding] = {}
    asked = set(ruleset.always_asked)  # rules whose term sets do not occur have nothing to say
    for tid in ev.hits:
        asked.update(ruleset.asked_for.get(tid, ()))
    for position in sorted(asked):
        rule = ruleset.rules[position]
        if not _applies(rule, ev):
            continue
        for mark in REGISTRY[rule.kind].check(rule, ev):
            finding = _finding(rule, ev, mark, brand, words, ruleset, lang, labels)
            findings.append(finding)
            if rule.supersedes is not None and not finding.whole_post:
                variants[finding] = _finding(rule, ev, mark, brand, words, ruleset, lang, labels,
                                             rule.supersedes)
    findings.sort(key=lambda f: (f.start, -f.severity.rank, f.rule))
    return tuple(findings), variants


def _timed_out(termsets: list[str], ruleset: RuleSet, notes: list[str], lang: str
               ) -> tuple[Finding, ...]:
    """A pattern stopped by the time-out: the rules that rely on it could not judge this
    caption, which is itself a finding against each of them."""
    out = []
    for tid in dict.fromkeys(termsets):
        users = ruleset.users.get(tid, ())
        if not users:
            notes.append(f"pattern of term set {tid} timed out and was skipped")
        limit = ruleset.termsets[tid].timeout or REGEX_TIMEOUT  # built-in sets allow more time
        for rule in users:
            message = TIMEOUT_MESSAGE[lang].format(termset=tid, ms=int(limit * 1000))
            out.append(Finding(rule.id, rule.category, Severity.WARNING, message, 0, 0, 1, 1,
                               "", None, rule.source, whole_post=True))
    return tuple(out)


def _brand(ev: Evidence, ruleset: RuleSet, words: _Words) -> str | None:
    """Who the post advertises for, as far as its metadata or caption says."""
    declared = ev.post.meta.brand
    if declared:
        return declared
    hits = ev.hits.get(ruleset.pack.brand or "")
    if not hits:
        return None
    return words.words(hits[0].start, hits[0].end)[2]


def _finding(rule: Rule, ev: Evidence, mark: Mark, brand: str | None, words: _Words,
             ruleset: RuleSet, lang: str, labels: frozenset[tuple[int, int]] = frozenset(),
             instead: Supersedes | None = None) -> Finding:
    """The finding a rule's mark makes; with ``instead``, the one it makes when it stands
    for a superseded rule's finding too (that rule's words, another message)."""
    if mark.whole_post:  # no words to point at: the post as a whole
        start = end = 0
        line, column = 1, 1
        matched = ""
    else:
        start, end, matched = words.words(mark.start, mark.end)
        line, column = ev.caption.line_col(start)
    values = _Message(mark.values)
    values.setdefault("text", matched)
    values.setdefault("brand", brand or "")
    values.setdefault("brand_for", f" for {brand}" if brand else "")
    values.setdefault("evidence", ev.reason)  # the cues the commercial level rests on
    texts = instead.message if instead is not None and instead.message else rule.message
    fixes = instead.fix if instead is not None and instead.fix else rule.fix
    how = instead.autofix if instead is not None and instead.autofix else rule.autofix
    message = texts[lang].format_map(values)
    fix = fixes[lang].format_map(values) if fixes else None
    edits = _edits(how, ruleset.pack.autofix, words.text, brand, start, end, matched,
                   (start, end) in labels)
    return Finding(rule.id, rule.category, rule.severity, message, start, end, line, column,
                   matched, fix, rule.source, whole_post=mark.whole_post, edits=edits)


def _edits(how: str | None, templates: dict[str, str], text: str, brand: str | None,
           start: int, end: int, matched: str, is_label: bool = False
           ) -> tuple[Edit, ...] | None:
    """What ``--fix`` changes in the caption for a finding (``None``: it needs a person).

    ``prepend-label`` puts the pack's label first ("Reklame for @brand | " when the advertiser
    is known); ``replace-with-label`` does too, and takes out the words found wrong where
    taking them out leaves every sentence whole: a hashtag (a buried ``#reklame``, a weak
    ``#samarbejde``), or a label (``is_label``: words a label term set found) standing on its
    own at the start or end of a line ("SPONS | ...", "... Ad"). The evidence itself ("Tak for
    gaven") is never taken out, nor the caption's only words."""
    if how is None or "label" not in templates:
        return None
    # the label naming the advertiser where the pack has one ("Reklame for @x"), else the label
    label = templates["label_for"].format(brand=brand) if brand and "label_for" in templates \
        else templates["label"]
    edits = [Edit(0, 0, label + templates.get("separator", " | "), unless_begins=label)]
    if how == "replace-with-label" and end > start and (
            matched.startswith("#") or (is_label and _label_words(matched)
                                        and _standing_alone(text, start, end))):
        removal = _taken_out(text, start, end)
        if any(c.isalnum() for c in text[:removal.start] + text[removal.end:]):
            edits.append(removal)
    return tuple(edits)


def _label_words(matched: str) -> bool:
    """A label of a word or two ("SPONS", "Paid partnership"), not a sentence that thanks or
    tags someone ("Tak til @x for gaven"): those are the creator's words and stay."""
    return "@" not in matched and len(matched.split()) <= 2


def _standing_alone(text: str, start: int, end: int) -> bool:
    """Whether words are a label of their own, not part of a sentence: opening a line and
    followed by a separator or the line's end ("SPONS | ...", "Sponsoreret: ..."), or closing
    a line after the end of a sentence ("... so light. Ad")."""
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    line = text[line_start:len(text) if line_end < 0 else line_end]
    # any blank counts (a no-break space too), and a CRLF line ends as an LF one
    before = text[line_start:start].rstrip()
    after = text[end:line_start + len(line)].strip()
    if not before:  # a separator stands apart: "SPONS | ..." is a label, "PR-pakke" a word
        return not after or (after[0] in SEPARATORS and (len(after) == 1 or after[1].isspace()))
    return not after and not (before[-1].isalnum() or before[-1] in ",;")


SEPARATORS = "|:-–—•·"  # what may stand between an opening label and the caption


def _taken_out(text: str, start: int, end: int) -> Edit:
    """An edit that removes the words at [start, end) and the blank they would leave: a line
    they stand alone on, the blank before them at the end of a line or of the caption, the
    blank (and a separator such as "|") after them at the start of a line."""
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    line_end = len(text) if line_end < 0 else line_end
    first = not text[line_start:start].strip()
    last = not text[end:line_end].strip()
    if not text[end:].strip():  # the caption's last words: back over every blank before them
        while start > 0 and text[start - 1].isspace():
            start -= 1
        return Edit(start, len(text), "")
    if first and last:  # alone on a line in the middle: the line goes, with its line break
        return Edit(line_start, line_end + 1, "")
    if first:  # opening a line: the blank and any separator after them go
        stop = end
        while stop < line_end and text[stop] in " \t":
            stop += 1
        if stop < line_end and text[stop] in SEPARATORS:
            stop += 1
            while stop < line_end and text[stop] in " \t":
                stop += 1
        return Edit(start, stop, "")
    if last:  # closing a line: the blanks before them go
        while start > line_start and text[start - 1] in " \t":
            start -= 1
        return Edit(start, end, "")
    if text[start - 1] in " \t":  # inside a line: one blank goes with them
        start -= 1
    return Edit(start, end, "")


def _disclosures(hits: dict[str, list[Hit]], ruleset: RuleSet, words: _Words
                 ) -> tuple[Disclosure, ...]:
    out = []
    for tid, found in hits.items():
        kind = DISCLOSURE_KINDS.get(ruleset.termsets[tid].kind)
        if kind is None:
            continue
        for h in found:
            start, end, text = words.words(h.start, h.end)
            out.append(Disclosure(kind, text, start, end, tid))
    out.sort(key=lambda d: (d.start, d.end))
    return tuple(out)


TIMEOUT_MESSAGE = {
    "da": "Et mønster i termsættet {termset} brugte mere end {ms} ms på denne tekst og blev "
          "stoppet; reglen kunne ikke vurdere opslaget. Tjek det manuelt, og ret mønsteret.",
    "en": "A pattern of term set {termset} took more than {ms} ms on this caption and was "
          "stopped; the rule could not judge the post. Check it by hand and fix the pattern.",
}


def _metadata_signal(post: Post, field: str, strength: Strength, title: str) -> Signal:
    """Evidence from a post's metadata, named by where it comes from: a draft's front matter
    (naming a brand, or stating the partnership), else the export or caller (a platform flag)."""
    if "brand" in post.declared and post.meta.brand:
        return Signal("draft.brand", strength, post.meta.brand)
    if field in post.declared:
        return Signal(f"draft.{field}", strength, f"draft: {field.replace('_', ' ')}")
    return Signal(f"meta.{field}", strength, title)


def _merged(findings: tuple[Finding, ...], variants: dict[Finding, Finding],
            superseding: Mapping[str, Supersedes]) -> tuple[Finding, ...]:
    """One problem, one finding: a finding of a rule that ``supersedes`` another stands for the
    other's finding on the same words (at least as severe, so no verdict changes)."""
    replaced: dict[int, Finding] = {}
    dropped: set[int] = set()
    for i, finding in enumerate(findings):
        if finding not in variants or i in dropped:
            continue
        rules = superseding[finding.rule].rules
        taken = [j for j, other in enumerate(findings)
                 if j != i and j not in dropped and other.rule in rules and not other.whole_post
                 and (other.start, other.end) == (finding.start, finding.end)
                 and other.severity.rank <= finding.severity.rank]
        if taken:
            dropped.update(taken)
            replaced[i] = dataclasses.replace(
                variants[finding], supersedes=tuple(sorted({findings[j].rule for j in taken})))
    if not replaced:
        return findings
    return tuple(replaced.get(i, f) for i, f in enumerate(findings) if i not in dropped)


def _verdict(commercial: Commercial, findings: tuple[Finding, ...]) -> Verdict:
    severities = {f.severity for f in findings}
    if Severity.ERROR in severities:
        return Verdict.VIOLATION
    if Severity.WARNING in severities:
        return Verdict.WARNING
    if commercial.level > Strength.NONE:
        return Verdict.COMPLIANT
    return Verdict.NOT_COMMERCIAL
