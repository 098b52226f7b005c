"""Evidence → findings → verdict. The ``Checker`` loads a pack once and checks posts with it."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import regex

from skjult.caption import Caption, anatomy, pipeline
from skjult.model import (
    Commercial,
    Disclosure,
    Finding,
    Post,
    PostResult,
    Severity,
    Signal,
    Strength,
    Verdict,
)
from skjult.normalize import normalize
from skjult.rules.evidence import Evidence, Mark
from skjult.rules.kinds import REGISTRY
from skjult.rules.pack import Pack, builtin_pack, load_pack
from skjult.rules.rule import Rule
from skjult.rules.vocabulary import Hit, TermSet, Vocabulary

if TYPE_CHECKING:
    from spacy.tokens import Doc

DISCLOSURE_KINDS = {"label": "label", "weak-label": "weak"}
BATCH = 512


def _overlaps(hit: Hit, others: list[Hit]) -> bool:
    return any(o.start < hit.end and hit.start < o.end for o in others)


class _Message(dict[str, str]):
    """Leaves unknown ``{placeholders}`` as they are instead of failing."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


class Checker:
    """Checks posts against one jurisdiction's pack (plus any extra pack folders).

    Build it once and reuse it: it holds the compiled matchers.
    """

    def __init__(self, jurisdiction: str = "dk", *, lang: str = "da",
                 extra_packs: Iterable[str | Path] = ()):
        if lang not in ("da", "en"):
            raise ValueError("lang must be 'da' or 'en'")
        self.pack: Pack = builtin_pack(jurisdiction)
        self.lang = lang
        extras = [load_pack(Path(p)) for p in extra_packs]
        termsets: dict[str, TermSet] = dict(self.pack.termsets)
        rules: list[Rule] = list(self.pack.rules)
        for extra in extras:
            termsets.update(extra.termsets)
            rules.extend(extra.rules)
        self.termsets = termsets
        self.rules = tuple(rules)
        self.nlp = pipeline(self.pack.language if self.pack.language in ("da", "en") else "da")
        self.vocabulary = Vocabulary(termsets.values(), self.nlp)
        self._cancelling = [t for t in termsets.values() if t.kind == "self-declared" and t.cancels]

    # -- public API -------------------------------------------------------------------------

    def check(self, caption: str | Post, *, creator: str | None = None,
              platform: str | None = None, **meta: Any) -> PostResult:
        """Check one caption (or a ``Post``)."""
        post = caption if isinstance(caption, Post) else make_post(caption, creator, platform, meta)
        return next(self.iter_results([post]))

    def iter_results(self, posts: Iterable[Post]) -> Iterator[PostResult]:
        """Check posts as they come, in order; spaCy tokenizes them in batches."""
        tokenizer = self.nlp.tokenizer
        batch: list[tuple[Post, Caption]] = []
        for post in posts:
            batch.append((post, anatomy(normalize(post.text), self.pack.fold_for(post.platform))))
            if len(batch) >= BATCH:
                yield from self._check_batch(batch, tokenizer)
                batch = []
        if batch:
            yield from self._check_batch(batch, tokenizer)

    # -- internals --------------------------------------------------------------------------

    def _check_batch(self, batch: list[tuple[Post, Caption]], tokenizer: Any) -> Iterator[PostResult]:
        docs = tokenizer.pipe([caption.text for _, caption in batch], batch_size=BATCH)
        for (post, caption), doc in zip(batch, docs, strict=True):
            yield self._judge(post, caption, doc)

    def _judge(self, post: Post, caption: Caption, doc: Doc) -> PostResult:
        notes: list[str] = []
        hits = self.vocabulary.find(doc, caption.text, notes)
        self._apply_cancels(hits)
        commercial, anchor = self._commercial(post, caption, hits)
        evidence = Evidence(post, caption, hits, commercial, self.termsets, anchor,
                            _reason(commercial))
        brand = self._brand(evidence)
        findings = self._findings(evidence, brand)
        disclosures = self._disclosures(caption, hits)
        return PostResult(post, _verdict(commercial, findings), commercial, disclosures,
                          findings, caption.language, tuple(notes), brand)

    def _apply_cancels(self, hits: dict[str, list[Hit]]) -> None:
        """"ikke reklame" holds the word "reklame": a self-declaration cancels what it contains."""
        for declared in self._cancelling:
            spans = hits.get(declared.id)
            if not spans:
                continue
            for tid in list(hits):
                if self.termsets[tid].kind in declared.cancels:
                    hits[tid] = [h for h in hits[tid] if not _overlaps(h, spans)]
                    if not hits[tid]:
                        del hits[tid]

    def _commercial(self, post: Post, caption: Caption, hits: dict[str, list[Hit]]
                    ) -> tuple[Commercial, tuple[int, int]]:
        signals: list[Signal] = []
        strongest: tuple[Strength, int, int] | None = None
        for meta in self.pack.metadata:
            if post.meta.get(meta.field):
                signals.append(Signal(f"meta.{meta.field}", meta.strength, meta.title))
        for tid, found in hits.items():
            termset = self.termsets[tid]
            if termset.strength is Strength.NONE:
                continue
            for h in found:
                start, end = caption.normalized.to_original(h.start, h.end)
                signals.append(Signal(tid, termset.strength, post.text[start:end], start, end))
                if strongest is None or (termset.strength, -h.start) > (strongest[0], -strongest[1]):
                    strongest = (termset.strength, h.start, h.end)
        level = max((s.strength for s in signals), default=Strength.NONE)
        declared = [self.termsets[t] for t in hits if self.termsets[t].kind == "self-declared"]
        if declared and level < min(t.respected_below for t in declared):
            level = Strength.NONE
        signals.sort(key=lambda s: (-s.strength, s.start if s.start is not None else -1))
        if strongest is not None:
            anchor = (strongest[1], strongest[2])
        else:
            first = regex.search(r"\S+", caption.text)
            anchor = (first.start(), first.end()) if first else (0, 0)
        return Commercial(level, tuple(signals), bool(declared)), anchor

    def _applies(self, rule: Rule, ev: Evidence) -> bool:
        when = rule.when
        post = ev.post
        if when.commercial is not None and ev.commercial.level not in when.commercial:
            return False
        if when.present and not all(t in ev.hits for t in when.present):
            return False
        if when.absent and ev.has(when.absent):
            return False
        if when.language is not None and ev.caption.language not in when.language:
            return False
        if when.audience is not None and post.audience not in when.audience:
            return False
        return when.platform is None or (post.platform or "").lower() in when.platform

    def _findings(self, ev: Evidence, brand: str | None) -> tuple[Finding, ...]:
        findings: list[Finding] = []
        for rule in self.rules:
            if not self._applies(rule, ev):
                continue
            for mark in REGISTRY[rule.kind].check(rule, ev):
                findings.append(self._finding(rule, ev, mark, brand))
        findings.sort(key=lambda f: (f.start, -f.severity.rank, f.rule))
        return tuple(findings)

    def _brand(self, ev: Evidence) -> str | None:
        """Who the post advertises for, as far as its metadata or caption says."""
        declared = ev.post.meta.get("brand")
        if declared:
            return str(declared)
        hits = ev.hits.get(self.pack.brand or "")
        if not hits:
            return None
        start, end = ev.caption.normalized.to_original(hits[0].start, hits[0].end)
        return ev.post.text[start:end]

    def _finding(self, rule: Rule, ev: Evidence, mark: Mark, brand: str | None) -> Finding:
        caption = ev.caption
        start, end = caption.normalized.to_original(mark.start, mark.end)
        matched = ev.post.text[start:end]
        values = _Message(mark.values)
        values.setdefault("text", matched)
        values.setdefault("brand", brand or "")
        values.setdefault("brand_for", f" for {brand}" if brand else "")
        message = rule.message[self.lang].format_map(values)
        fix = rule.fix[self.lang].format_map(values) if rule.fix else None
        line, column = caption.line_col(start)
        return Finding(rule.id, rule.category, rule.severity, message, start, end, line, column,
                       matched, fix, rule.source)

    def _disclosures(self, caption: Caption, hits: dict[str, list[Hit]]) -> tuple[Disclosure, ...]:
        out = []
        for tid, found in hits.items():
            kind = DISCLOSURE_KINDS.get(self.termsets[tid].kind)
            if kind is None:
                continue
            for h in found:
                start, end = caption.normalized.to_original(h.start, h.end)
                out.append(Disclosure(kind, caption.normalized.original[start:end], start, end, tid))
        out.sort(key=lambda d: (d.start, d.end))
        return tuple(out)


def _reason(commercial: Commercial) -> str:
    if not commercial.signals:
        return ""
    strongest = commercial.signals[0]  # sorted strongest first
    return f"»{strongest.text}«" if strongest.start is not None else strongest.text


def _verdict(commercial: Commercial, findings: tuple[Finding, ...]) -> Verdict:
    severities = {f.severity for f in findings}
    if Severity.ERROR in severities:
        return Verdict.VIOLATION
    if Severity.WARNING in severities:
        return Verdict.WARNING
    if commercial.level > Strength.NONE:
        return Verdict.COMPLIANT
    return Verdict.NOT_COMMERCIAL


_POST_FIELDS = ("id", "url", "created_at", "source")


def make_post(text: str, creator: str | None, platform: str | None, meta: dict[str, Any]) -> Post:
    """A ``Post`` from keyword arguments; unknown keywords become metadata."""
    meta = dict(meta)
    fields = {k: meta.pop(k) for k in _POST_FIELDS if k in meta}
    post = Post(text=text, creator=creator, platform=platform, meta=meta)
    for key, value in fields.items():
        setattr(post, key, None if value is None else str(value))
    return post
