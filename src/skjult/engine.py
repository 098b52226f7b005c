"""Evidence → findings → verdict. The ``Checker`` loads a pack once and checks posts with it."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from skjult import parallel
from skjult.caption import Caption, anatomy, new_pipeline
from skjult.config import Config, ConfigError, check_selectors, matches, post_key
from skjult.errors import RuleError
from skjult.i18n import DEFAULT_LANG, LANGS, check_lang
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
from skjult.rules.evidence import Evidence, Mark, reason
from skjult.rules.kinds import REGISTRY
from skjult.rules.pack import Pack, available_packs, builtin_pack, load_pack
from skjult.rules.rule import Rule, Supersedes
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
        check_settings(jurisdiction, lang, extra_packs=extra_packs, config=config, today=today)
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
        if not self.rules:  # a post checked by no rule must not come back "compliant"
            raise NoActiveRule(config.file or "configuration", None, "no rule is active: "
                               "select/ignore switch every rule off; nothing would be checked")
        # Every rule loaded, switched on or not (id -> category): what a draft may suppress.
        self.known_rules = {rule.id: rule.category for rule in rules}
        _check_supersedes(rules)
        self._superseding = {r.id: r.supersedes for r in self.rules if r.supersedes}
        self._brand_keys = frozenset(_brand_key(name) for name in config.brands)
        self.nlp = new_pipeline(self.pack.language if self.pack.language in LANGS else DEFAULT_LANG)
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
        """Check one caption (or a ``Post``). Keywords: ``creator``, ``platform``, the post
        fields ``id``, ``url``, ``created_at``, ``source``, and the metadata the rules read:
        ``paid_partnership`` (True/False), ``audience`` ("minors"/"adults"), ``brand``. Any
        other keyword is a ``TypeError``; a value of the wrong kind a ``ValueError``."""
        if isinstance(caption, Post):
            if creator is not None or platform is not None or meta:
                raise TypeError("check() takes no keywords with a Post: set them on the Post")
            post = caption
        else:
            post = make_post(caption, creator, platform, post_keywords(caption, creator, platform,
                                                                        meta))
        return next(self.iter_results([post]))

    def iter_results(self, posts: Iterable[Post], jobs: int = 1) -> Iterator[PostResult]:
        """Check posts as they come, in order; spaCy tokenizes them in batches.

        ``jobs`` > 1 checks batches in that many worker processes; the results are the same
        and come in the same order."""
        results = self._checked(posts) if jobs <= 1 else parallel.check(self, posts, jobs)
        ledger = self.ledger
        for result in results:
            if result.post.suppress:  # a draft's own suppressions, listed with the configuration's
                ledger.declare(result.post.suppress)
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
                            reason(commercial, self.lang))
        brand = self._brand(evidence)
        findings, variants = self._findings(evidence, brand)
        if timeouts:
            findings = self._timed_out(evidence, timeouts, notes) + findings
        findings, suppressed, lapsed = self.ledger.apply(post, findings)
        if variants:  # after suppressions: what they accept is judged finding by finding
            findings = _merged(findings, variants, self._superseding)
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
                    ) -> tuple[Commercial, tuple[int, int] | None]:
        signals: list[Signal] = []
        for meta in self.pack.metadata:
            if post.meta.get(meta.field):
                signals.append(_metadata_signal(post, meta.field, meta.strength, meta.title))
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
        named = post.meta.get("brand")
        if named and "config.brands" not in hits and _brand_key(str(named)) in self._brand_keys:
            # a configured brand named only by the post's data (a sponsor or brand column)
            signals.append(Signal("config.brands", self.termsets["config.brands"].strength,
                                  str(named)))
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
        # An absence finding points at the first cue in the text the level rests on; with none
        # (a platform flag, a campaign list, a draft's front matter), at the whole post.
        anchor = placed[0] if placed else None
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

    def _findings(self, ev: Evidence, brand: str | None
                  ) -> tuple[tuple[Finding, ...], dict[Finding, Finding]]:
        """The findings, and for those of rules that supersede others the finding to report
        instead when it does (``supersedes`` in the rule: its own message, fix and autofix)."""
        findings: list[Finding] = []
        variants: dict[Finding, Finding] = {}
        for rule in self.rules:
            if not self._applies(rule, ev):
                continue
            for mark in REGISTRY[rule.kind].check(rule, ev):
                finding = self._finding(rule, ev, mark, brand)
                findings.append(finding)
                if rule.supersedes is not None and not finding.whole_post:
                    variants[finding] = self._finding(rule, ev, mark, brand, rule.supersedes)
        findings.sort(key=lambda f: (f.start, -f.severity.rank, f.rule))
        return tuple(findings), variants

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
                                   "", None, rule.source, whole_post=True))
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

    def _finding(self, rule: Rule, ev: Evidence, mark: Mark, brand: str | None,
                 instead: Supersedes | None = None) -> Finding:
        """The finding a rule's mark makes; with ``instead``, the one it makes when it stands
        for a superseded rule's finding too (that rule's words, another message)."""
        caption = ev.caption
        if mark.whole_post:  # no words to point at: the post as a whole
            start = end = 0
            line, column = 1, 1
        else:
            start, end = caption.normalized.to_original(mark.start, mark.end)
            line, column = caption.line_col(start)
        matched = ev.post.text[start:end]
        values = _Message(mark.values)
        values.setdefault("text", matched)
        values.setdefault("brand", brand or "")
        values.setdefault("brand_for", f" for {brand}" if brand else "")
        values.setdefault("evidence", ev.reason)  # the cues the commercial level rests on
        texts = instead.message if instead is not None and instead.message else rule.message
        fixes = instead.fix if instead is not None and instead.fix else rule.fix
        message = texts[self.lang].format_map(values)
        fix = fixes[self.lang].format_map(values) if fixes else None
        return Finding(rule.id, rule.category, rule.severity, message, start, end, line, column,
                       matched, fix, rule.source, whole_post=mark.whole_post)

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


def _metadata_signal(post: Post, field: str, strength: Strength, title: str) -> Signal:
    """Evidence from a post's metadata, named by where it comes from: a draft's front matter
    (naming a brand, or stating the partnership), else the export or caller (a platform flag)."""
    if "brand" in post.declared and post.meta.get("brand"):
        return Signal("draft.brand", strength, str(post.meta["brand"]))
    if field in post.declared:
        return Signal(f"draft.{field}", strength, f"draft: {field.replace('_', ' ')}")
    return Signal(f"meta.{field}", strength, title)


def _brand_key(name: str) -> str:
    """A brand name as compared with the configured ones: "@Nordlys_Kaffe" is "nordlys_kaffe"."""
    return " ".join(name.strip().lstrip("@#").casefold().split())


def _check_supersedes(rules: list[Rule]) -> None:
    """Every rule a ``supersedes`` names must be loaded (from any pack of the run)."""
    from skjult.errors import did_you_mean

    ids = [rule.id for rule in rules]
    for rule in rules:
        for rid in rule.supersedes.rules if rule.supersedes else ():
            if rid not in ids:
                raise RuleError(rule.file, rule.line_of("supersedes"), f"rule {rule.id}: "
                                f"supersedes unknown rule {rid!r}", did_you_mean(rid, ids))


def _merged(findings: tuple[Finding, ...], variants: dict[Finding, Finding],
            superseding: dict[str, Supersedes]) -> tuple[Finding, ...]:
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


# The metadata the engine and the packs read (``audience`` and ``brand`` by the engine, the rest
# by packs' ``metadata:``); anything else a caller passes would be ignored, so it is refused.
META_KEYS = ("paid_partnership", "audience", "brand")


class NoActiveRule(ConfigError):
    """The configuration switches every rule off: checking would pass everything unseen."""


class UnknownJurisdiction(RuleError, ValueError):
    """No built-in rule pack has this name: a ``ValueError`` to library callers, a ``RuleError``
    (with what there is) to the command line."""


def check_settings(jurisdiction: Any, lang: Any, *, extra_packs: Any = (), config: Any = None,
                   today: Any = None) -> None:
    """Raises ``ValueError`` for a jurisdiction, report language or other setting that skjult
    cannot use (``UnknownJurisdiction``, also a ``RuleError``, for a pack that does not exist)."""
    from skjult.errors import did_you_mean
    from skjult.rules.pack import available_packs

    check_lang(lang)
    if jurisdiction is not None:
        packs = available_packs()
        if not isinstance(jurisdiction, str):
            raise ValueError(f"jurisdiction must be the name of a rule pack ({', '.join(packs)}), "
                             f"not {type(jurisdiction).__name__}")
        if jurisdiction not in packs:
            raise UnknownJurisdiction("jurisdiction", None, f"no rule pack {jurisdiction!r}",
                                      did_you_mean(jurisdiction, packs)
                                      or f"available: {', '.join(packs)}")
    if isinstance(extra_packs, str | Path):
        raise ValueError(f"extra_packs is a list of pack folders, not one {type(extra_packs).__name__}: "
                         f"write extra_packs=[{str(extra_packs)!r}]")
    if config is not None and not isinstance(config, Config):
        raise ValueError(f"config must be a skjult.config.Config, not {type(config).__name__}")
    if today is not None and not isinstance(today, dt.date):
        raise ValueError(f"today must be a datetime.date, not {type(today).__name__}")


def post_keywords(caption: Any, creator: Any, platform: Any, meta: dict[str, Any],
                  also: tuple[str, ...] = ()) -> dict[str, Any]:
    """The keywords of a ``check`` call checked: a ``TypeError`` for one nothing reads (with
    what is accepted; ``also`` are the caller's own keywords), a ``ValueError`` for a value of
    the wrong kind. Returns the metadata and post fields, without the ones left as None."""
    from skjult.errors import did_you_mean
    from skjult.model import AUDIENCES

    accepted = ("creator", "platform", *_POST_FIELDS, *META_KEYS, *also)
    for key in meta:
        if key not in accepted:
            if key in ("jurisdiction", "lang"):
                hint = f"{key} is chosen when the Checker is built: Checker(..., {key}=...)"
            else:
                hint = did_you_mean(key, accepted) or "it is not a field of a post"
            raise TypeError(f"check() got an unexpected keyword argument {key!r} ({hint}); it "
                            f"accepts {', '.join(accepted)}")
    if not isinstance(caption, str):
        raise ValueError(f"caption must be text (str) or a Post, not {type(caption).__name__}")
    for name, value in (("creator", creator), ("platform", platform),
                        *((k, meta.get(k)) for k in ("brand", "url", "source"))):
        if value is not None and not isinstance(value, str):
            raise ValueError(f"{name} must be text (str), not {type(value).__name__}")
    paid = meta.get("paid_partnership")
    if paid is not None and not isinstance(paid, bool):
        raise ValueError(f"paid_partnership must be True or False, not {paid!r}")
    audience = meta.get("audience")
    if audience is not None and audience not in AUDIENCES:
        raise ValueError(f"audience must be one of {', '.join(map(repr, AUDIENCES))} (or None), "
                         f"not {audience!r}")
    post_id = meta.get("id")
    if post_id is not None and (isinstance(post_id, bool) or not isinstance(post_id, str | int)):
        raise ValueError(f"id must be text (str) or a number, not {type(post_id).__name__}")
    when = meta.get("created_at")
    if isinstance(when, dt.date):
        when = when.isoformat()
    elif when is not None and not isinstance(when, str):
        raise ValueError(f"created_at must be text (ISO 8601) or a datetime, not "
                         f"{type(when).__name__}")
    out = {k: v for k, v in meta.items() if v is not None and k not in also}
    if when is not None:
        out["created_at"] = when
    return out


def make_post(text: str, creator: str | None, platform: str | None, meta: dict[str, Any]) -> Post:
    """A ``Post`` from keyword arguments; unknown keywords become metadata."""
    meta = dict(meta)
    fields = {k: meta.pop(k) for k in _POST_FIELDS if k in meta}
    post = Post(text=text, creator=creator, platform=platform, meta=meta)
    for key, value in fields.items():
        setattr(post, key, None if value is None else str(value))
    return post
