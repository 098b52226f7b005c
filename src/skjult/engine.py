"""Evidence → findings → verdict. The ``Checker`` loads a pack once and checks posts with it."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import regex

from skjult import parallel
from skjult.caption import Caption, anatomy, new_pipeline
from skjult.config import Config, check_selectors, matches, post_key
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
from skjult.rules.errors import RuleError
from skjult.rules.evidence import Evidence, Mark
from skjult.rules.kinds import REGISTRY
from skjult.rules.pack import Pack, available_packs, builtin_pack, load_pack
from skjult.rules.rule import Rule
from skjult.rules.vocabulary import (
    REGEX_TIMEOUT,
    Hit,
    TermSet,
    Vocabulary,
    overlapping,
    word_forms,
)
from skjult.rules.weighing import Weighing
from skjult.suppress import Ledger

if TYPE_CHECKING:
    from spacy.tokens import Doc

DISCLOSURE_KINDS = {"label": "label", "weak-label": "weak"}
BATCH = 512
VOCAB_GROWTH = 10_000  # new token strings a pipeline may learn before it is replaced
# A batch also ends at this many characters: 512 captions of 99,999 characters of emoji or CJK,
# every token new, would hold gigabytes of docs and token strings before the vocabulary is
# bounded again. Ordinary batches (512 × a few hundred characters) never reach it.
BATCH_CHARS = 500_000


class _Message(dict[str, str]):
    """Leaves unknown ``{placeholders}`` as they are instead of failing."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


class Checker:
    """Checks posts against one jurisdiction's pack (plus any extra pack folders).

    Build it once and reuse it: it holds the compiled matchers.
    """

    def __init__(self, jurisdiction: str | None = None, *, lang: str = "da",
                 extra_packs: Iterable[str | Path] = (), config: Config | None = None,
                 today: dt.date | None = None):
        if lang not in ("da", "en"):
            raise ValueError("lang must be 'da' or 'en'")
        config = config or Config()
        extra_packs = tuple(extra_packs)
        self.config = config
        pack = builtin_pack(jurisdiction or config.jurisdiction or "dk")
        if config.folds:
            pack = dataclasses.replace(pack, folds={**pack.folds, **config.folds})
        self.pack: Pack = pack
        self.lang = lang
        termsets: dict[str, TermSet] = dict(self.pack.termsets)
        rules: list[Rule] = list(self.pack.rules)
        self.extra: list[Pack] = []  # packs added by the configuration or the caller
        for folder in dict.fromkeys(Path(p).resolve() for p in (*config.packs, *extra_packs)):
            extra = load_pack(folder, termsets)
            clash = next((r for r in extra.rules if r.id in {k.id for k in rules}), None)
            if clash is not None:
                raise RuleError(clash.file, clash.line_of("id"), f"rule id {clash.id!r} is "
                                "already defined by another pack; give it an id of your own pack")
            shadow = next((t for t in extra.termsets.values() if t.id in termsets), None)
            if shadow is not None:  # redefining dk.mention would change the built-in rules
                raise RuleError(shadow.file, shadow.line, f"term set id {shadow.id!r} is already "
                                "defined by another pack; give it an id of your own pack")
            if extra.weighing != Weighing():
                raise RuleError(str(folder / "pack.yml"), None, "evidence: how cues add up is "
                                f"set by the jurisdiction's pack ({self.pack.name}); an added "
                                "pack cannot change it")
            termsets.update(extra.termsets)
            self.extra.append(extra)
            rules.extend(extra.rules)
        if config.brands:
            _add_brands(termsets, config, self.pack.brand)
        self.termsets = termsets
        check_selectors(config, rules, available_packs())
        self.rules = tuple(_tuned(rules, config))
        self.ignored = len(rules) - len(self.rules)  # loaded but switched off by select/ignore
        self.nlp = new_pipeline(self.pack.language if self.pack.language in ("da", "en") else "da")
        self.vocabulary = Vocabulary(termsets.values(), self.nlp)
        self._vocab_start = len(self.nlp.vocab)
        self.vocab_growth = VOCAB_GROWTH
        # Sets whose hits cancel what they contain; those that cancel self-declarations (giveaway
        # boilerplate: "not sponsored by Instagram") go first.
        self._cancelling = sorted((t for t in termsets.values() if t.cancels),
                                  key=lambda t: "self-declared" not in t.cancels)
        self._users: dict[str, list[Rule]] = {}  # term set -> the rules that depend on it
        for rule in self.rules:
            for tid in _termsets_of(rule):
                self._users.setdefault(tid, []).append(rule)
        self.ledger = Ledger(config.suppressions, today)
        # How to build the same checker in a worker process (see skjult.parallel).
        self.spec = (jurisdiction, lang, tuple(str(p) for p in extra_packs), config, today)

    # -- public API -------------------------------------------------------------------------

    def check(self, caption: str | Post, *, creator: str | None = None,
              platform: str | None = None, **meta: Any) -> PostResult:
        """Check one caption (or a ``Post``)."""
        post = caption if isinstance(caption, Post) else make_post(caption, creator, platform, meta)
        return next(self.iter_results([post]))

    def iter_results(self, posts: Iterable[Post], jobs: int = 1) -> Iterator[PostResult]:
        """Check posts as they come, in order; spaCy tokenizes them in batches.

        ``jobs`` > 1 checks batches in that many worker processes; the results are the same
        and come in the same order."""
        results = self._checked(posts) if jobs <= 1 else parallel.check(self, posts, jobs)
        ledger = self.ledger
        for result in results:
            if result.suppressed or result.lapsed:
                ledger.count(result.suppressed, result.lapsed)
            yield result

    def _checked(self, posts: Iterable[Post]) -> Iterator[PostResult]:
        batch: list[tuple[Post, Caption]] = []
        size = 0  # characters in the batch
        audiences = self.config.audiences
        for post in posts:
            if audiences and post.creator in audiences and not post.meta.get("audience"):
                post.meta["audience"] = audiences[post.creator]
            if _LONE_SURROGATE.search(post.text):  # a library caller's text no one can encode
                post = dataclasses.replace(post, text=_LONE_SURROGATE.sub("\ufffd", post.text))
            try:
                caption = anatomy(normalize(post.text), self.pack.fold_for(post.platform))
            except Exception as exc:
                raise CheckFailed(post, exc) from exc
            batch.append((post, caption))
            size += len(caption.text)
            if len(batch) >= BATCH or size >= BATCH_CHARS:
                yield from self._check_batch(batch, self.nlp.tokenizer)
                batch, size = [], 0
                self._bound_vocabulary()
        if batch:
            yield from self._check_batch(batch, self.nlp.tokenizer)

    def _bound_vocabulary(self) -> None:
        """spaCy keeps every token string it has seen (discount codes, link ids, ...), so on a
        long run memory would grow with the posts. Past a limit, start a fresh pipeline; the
        tokens, and so the results, are the same."""
        if len(self.nlp.vocab) > self._vocab_start + self.vocab_growth:
            self.nlp = new_pipeline(self.nlp.lang or "da")
            self.vocabulary = Vocabulary(self.termsets.values(), self.nlp)
            self._vocab_start = len(self.nlp.vocab)

    # -- internals --------------------------------------------------------------------------

    def _check_batch(self, batch: list[tuple[Post, Caption]], tokenizer: Any) -> Iterator[PostResult]:
        docs = tokenizer.pipe([caption.text for _, caption in batch], batch_size=BATCH)
        for post, caption in batch:
            try:  # the tokenizer works lazily: a failure here is on this post's caption
                doc = next(docs)
                result = self._judge(post, caption, doc)
            except Exception as exc:
                raise CheckFailed(post, exc) from exc
            yield result

    def _judge(self, post: Post, caption: Caption, doc: Doc) -> PostResult:
        notes: list[str] = []
        timeouts: list[str] = []
        hits = self.vocabulary.find(doc, caption.text, timeouts)
        self._apply_cancels(hits)
        commercial, anchor = self._commercial(post, caption, hits)
        evidence = Evidence(post, caption, hits, commercial, self.termsets, anchor,
                            _reason(commercial))
        brand = self._brand(evidence)
        findings = self._findings(evidence, brand)
        if timeouts:
            findings = self._timed_out(evidence, timeouts, notes) + findings
        findings, suppressed, lapsed = self.ledger.apply(post, findings)
        disclosures = self._disclosures(caption, hits)
        return PostResult(post, _verdict(commercial, findings), commercial, disclosures,
                          findings, caption.language, tuple(notes), brand, suppressed, lapsed)

    def _apply_cancels(self, hits: dict[str, list[Hit]]) -> None:
        """"ikke reklame" holds the word "reklame": a self-declaration cancels what it contains
        (as does any term set with ``cancels``)."""
        for declared in self._cancelling:
            spans = hits.get(declared.id)
            if not spans:
                continue
            for tid in list(hits):
                if self.termsets[tid].kind in declared.cancels:
                    cancelled = set(overlapping(hits[tid], spans))
                    hits[tid] = [h for h in hits[tid] if h not in cancelled]
                    if not hits[tid]:
                        del hits[tid]

    def _commercial(self, post: Post, caption: Caption, hits: dict[str, list[Hit]]
                    ) -> tuple[Commercial, tuple[int, int]]:
        signals: list[Signal] = []
        for meta in self.pack.metadata:
            if post.meta.get(meta.field):
                signals.append(Signal(f"meta.{meta.field}", meta.strength, meta.title))
        campaign = self.config.campaign
        if campaign and any(post_key(v) in campaign for v in (post.id, post.url) if v):
            signals.append(Signal("config.campaign", Strength.HARD, "campaign manifest"))
        where: dict[tuple[int, int], tuple[int, int]] = {}  # original span -> normalized span
        for tid, found in hits.items():
            termset = self.termsets[tid]
            if termset.strength is Strength.NONE:
                continue
            for h in found:
                start, end = caption.normalized.to_original(h.start, h.end)
                where.setdefault((start, end), (h.start, h.end))
                signals.append(Signal(tid, termset.strength, post.text[start:end], start, end))
        level, basis = self.pack.weighing.weigh(signals, self.termsets)
        declared = [self.termsets[t] for t in hits if self.termsets[t].kind == "self-declared"]
        if declared and Strength.NONE < level < min(t.respected_below for t in declared):
            # "Ikke reklame" outweighs weak cues and turns strong evidence (a gift) into a
            # question for a human; it cannot stand against hard evidence (a code, a link).
            level = Strength(level - 1)
            if level is Strength.NONE:
                basis = ()
        signals.sort(key=lambda s: (-s.strength, s.start if s.start is not None else -1))
        placed = [where[(s.start, s.end)] for s in basis if s.start is not None and s.end is not None]
        if placed:
            anchor = placed[0]  # an absence finding points at the first cue the level rests on
        else:
            first = regex.search(r"\S+", caption.text)
            anchor = (first.start(), first.end()) if first else (0, 0)
        return Commercial(level, tuple(signals), bool(declared), basis), anchor

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

    def _timed_out(self, ev: Evidence, termsets: list[str], notes: list[str]
                   ) -> tuple[Finding, ...]:
        """A pattern stopped by the time-out: the rules that rely on it could not judge this
        caption, which is itself a finding against each of them."""
        out = []
        for tid in dict.fromkeys(termsets):
            users = self._users.get(tid, ())
            if not users:
                notes.append(f"pattern of term set {tid} timed out and was skipped")
            limit = self.termsets[tid].timeout or REGEX_TIMEOUT  # built-in sets allow more time
            for rule in users:
                message = TIMEOUT_MESSAGE[self.lang].format(termset=tid, ms=int(limit * 1000))
                out.append(Finding(rule.id, rule.category, Severity.WARNING, message, 0, 0, 1, 1,
                                   "", None, rule.source))
        return tuple(out)

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


TIMEOUT_MESSAGE = {
    "da": "Et mønster i termsættet {termset} brugte mere end {ms} ms på denne tekst og blev "
          "stoppet; reglen kunne ikke vurdere opslaget. Tjek det manuelt, og ret mønsteret.",
    "en": "A pattern of term set {termset} took more than {ms} ms on this caption and was "
          "stopped; the rule could not judge the post. Check it by hand and fix the pattern.",
}


def _termsets_of(rule: Rule) -> set[str]:
    used = {*rule.termsets, *rule.when.present, *rule.when.absent}
    require = rule.options.get("require")
    if isinstance(require, list):
        used.update(require)
    return used


def _tuned(rules: list[Rule], config: Config) -> Iterator[Rule]:
    """The rules the configuration selects, with its severities."""
    for rule in rules:
        if config.select and not any(matches(p, rule.id, rule.category) for p in config.select):
            continue
        if any(matches(p, rule.id, rule.category) for p in config.ignore):
            continue
        # The most specific selector wins: an exact id over a glob over a category.
        for selector in sorted(config.severity, key=lambda p: (p != rule.id, p == rule.category)):
            if matches(selector, rule.id, rule.category):
                rule = dataclasses.replace(rule, severity=config.severity[selector])
                break
        yield rule


def _add_brands(termsets: dict[str, TermSet], config: Config, brand_set: str | None) -> None:
    """The user's brands: commercial evidence, and names that say whom a label is for."""
    words: list[str] = []
    phrases: list[str] = []
    for name in config.brands:
        if " " in name:
            phrases.append(name)
            continue
        words.extend(word_forms(name.lstrip("@#"), hashtags=True, mentions=True))
    brands = TermSet(id="config.brands", kind="signal", title="brand from the configuration",
                     strength=Strength[config.brand_strength.upper()], words=tuple(words),
                     phrases=tuple(phrases), file=config.file or "", line=None)
    termsets[brands.id] = brands
    if brand_set and brand_set in termsets:
        known = termsets[brand_set]
        termsets[brand_set] = dataclasses.replace(known, words=known.words + brands.words,
                                                  phrases=known.phrases + brands.phrases)


def _reason(commercial: Commercial) -> str:
    """The cues a post's level rests on, for messages: "»koden ANNA20«" or a flag's title."""
    shown = commercial.basis[:3] or commercial.signals[:1]
    return " + ".join(f"»{s.text}«" if s.start is not None else s.text for s in shown)


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


class CheckFailed(Exception):
    """Checking one post failed: a bug, named by the post it happened on."""

    def __init__(self, post: Post, error: Exception):
        self.post = post
        self.error = error
        where = post.source or post.id or (post.text[:40] + "…" if len(post.text) > 40 else post.text)
        super().__init__(f"checking {where} failed: {error!r}")

    def __reduce__(self) -> tuple[Any, ...]:  # raised in a --jobs worker, re-raised in the parent
        return (CheckFailed, (self.post, self.error))


_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def make_post(text: str, creator: str | None, platform: str | None, meta: dict[str, Any]) -> Post:
    """A ``Post`` from keyword arguments; unknown keywords become metadata."""
    meta = dict(meta)
    fields = {k: meta.pop(k) for k in _POST_FIELDS if k in meta}
    post = Post(text=text, creator=creator, platform=platform, meta=meta)
    for key, value in fields.items():
        setattr(post, key, None if value is None else str(value))
    return post
