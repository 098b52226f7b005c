"""Per-creator aggregation and run totals. Memory grows with creators, not posts.

The totals are counted from a ``Digest`` of each result, never from the result itself: a
``--jobs`` worker sends only the digest (and the post's finished output text) back to the main
process, and both ways of running go through ``Report.add_digest``, so their totals cannot drift
apart."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from skjult.i18n import UNKNOWN, Text
from skjult.items import NO_TEXT, Notice, Skip
from skjult.model import PostResult, Severity, Verdict

if TYPE_CHECKING:
    from skjult.config import Suppression
    from skjult.suppress import Suppressed

MAX_SKIPS_KEPT = 1000  # skips beyond this are counted, not listed
# The key of posts without a creator; machine formats (JSON, CSV) keep it as this stable code,
# reports for people show it in their language (``creator_label``).
UNKNOWN_CREATOR = UNKNOWN["en"]


def creator_label(creator: str, lang: str) -> str:
    """A creator as a report for people names it: posts without one under "(ukendt)"."""
    return UNKNOWN[lang] if creator == UNKNOWN_CREATOR else creator


@dataclass(frozen=True, slots=True)
class Digest:
    """What the run's totals (``Report``, ``CreatorSummary``) and the suppression ``Ledger``
    need of one checked post, and nothing more: small and cheap to send between processes,
    where a whole ``PostResult`` (caption, findings, evidence) costs far more to pickle and
    unpickle than its report line costs to write.

    ``suppressed``, ``lapsed`` and ``suppress`` are empty for nearly every post."""

    file: str | None  # the post's file, for per-file totals
    creator: str | None
    created_at: str | None
    verdict: Verdict
    categories: tuple[str, ...]  # of the findings, each once, sorted
    highest: Severity | None  # the most severe finding's severity
    suppressed: tuple[Suppressed, ...] = ()  # findings accepted by a suppression
    lapsed: tuple[Suppression, ...] = ()  # expired suppressions that would have applied
    suppress: tuple[Suppression, ...] = ()  # the post's own (a draft's front matter)

    @classmethod
    def of(cls, result: PostResult) -> Digest:
        post = result.post
        findings = result.findings
        highest: Severity | None = None
        for finding in findings:
            if highest is None or _RANKS[finding.severity] > _RANKS[highest]:
                highest = finding.severity
        return cls(post.file, post.creator, post.created_at, result.verdict,
                   tuple(sorted({f.category for f in findings})), highest, result.suppressed,
                   result.lapsed, post.suppress)

    @property
    def is_commercial(self) -> bool:
        return self.verdict is not Verdict.NOT_COMMERCIAL

    def __reduce__(self) -> tuple[Callable[..., Digest], tuple[Any, ...]]:
        # Pickled as its fields, the verdict and severity as their plain values: a --jobs worker
        # sends one per post, and a slotted dataclass's own pickling (a state dict, set field by
        # field) or an enum's (its class called with the value) cost several times as much.
        return (_digest, (self.file, self.creator, self.created_at, self.verdict.value,
                          self.categories, None if self.highest is None else self.highest.value,
                          self.suppressed, self.lapsed, self.suppress))


_VERDICTS: dict[str, Verdict] = {verdict.value: verdict for verdict in Verdict}
_SEVERITIES: dict[str | None, Severity | None] = {None: None, **{s.value: s for s in Severity}}
_RANKS: dict[Severity, int] = {severity: severity.rank for severity in Severity}


def _digest(file: str | None, creator: str | None, created_at: str | None, verdict: str,
            categories: tuple[str, ...], highest: str | None, *suppressions: Any) -> Digest:
    """A ``Digest`` as ``Digest.__reduce__`` pickled it."""
    return Digest(file, creator, created_at, _VERDICTS[verdict], categories, _SEVERITIES[highest],
                  *suppressions)


@dataclass(slots=True)
class CreatorSummary:
    creator: str
    posts: int = 0
    commercial: int = 0
    compliant: int = 0
    warnings: int = 0
    violations: int = 0
    categories: dict[str, int] = field(default_factory=dict)
    first_post: str | None = None  # earliest and latest created_at (ISO 8601 sorts as text)
    last_post: str | None = None
    suppressed: int = 0  # findings on this creator's posts accepted by a suppression

    def add(self, result: PostResult) -> None:
        self.add_digest(Digest.of(result))

    def add_digest(self, digest: Digest) -> None:
        self.posts += 1
        self.suppressed += len(digest.suppressed)
        when = digest.created_at
        if when:
            if self.first_post is None or when < self.first_post:
                self.first_post = when
            if self.last_post is None or when > self.last_post:
                self.last_post = when
        verdict = digest.verdict
        if verdict is Verdict.NOT_COMMERCIAL:
            return
        self.commercial += 1
        if verdict is Verdict.COMPLIANT:
            self.compliant += 1
        elif verdict is Verdict.WARNING:
            self.warnings += 1
        else:
            self.violations += 1
        for category in digest.categories:
            self.categories[category] = self.categories.get(category, 0) + 1

    def merge(self, other: CreatorSummary) -> None:
        """Add another summary of the same creator (from another part of the posts)."""
        self.posts += other.posts
        self.commercial += other.commercial
        self.compliant += other.compliant
        self.warnings += other.warnings
        self.violations += other.violations
        self.suppressed += other.suppressed
        for category, count in other.categories.items():
            self.categories[category] = self.categories.get(category, 0) + count
        for when in (other.first_post, other.last_post):
            if when is not None:
                if self.first_post is None or when < self.first_post:
                    self.first_post = when
                if self.last_post is None or when > self.last_post:
                    self.last_post = when

    @property
    def compliance_rate(self) -> float | None:
        """Share of commercial posts that are compliant; ``None`` when none is commercial."""
        return self.compliant / self.commercial if self.commercial else None

    def to_dict(self) -> dict[str, Any]:
        rate = self.compliance_rate
        return {
            "creator": self.creator,
            "posts": self.posts,
            "commercial": self.commercial,
            "compliant": self.compliant,
            "warnings": self.warnings,
            "violations": self.violations,
            "compliance_rate": None if rate is None else round(rate, 4),
            "categories": dict(sorted(self.categories.items())),
            "first_post": self.first_post,
            "last_post": self.last_post,
            "suppressed": self.suppressed,
        }


@dataclass(slots=True)
class FileTotals:
    read: int = 0
    checked: int = 0
    skipped: int = 0
    no_text: int = 0  # of the skipped: records without a caption
    format: str | None = None
    error: str | None = None  # the file as a whole could not be read

    def merge(self, other: FileTotals) -> None:
        self.read += other.read
        self.checked += other.checked
        self.skipped += other.skipped
        self.no_text += other.no_text
        self.format = self.format or other.format
        self.error = self.error or other.error

    def to_dict(self) -> dict[str, Any]:
        return {"format": self.format, "read": self.read, "checked": self.checked,
                "skipped": self.skipped, "no_text": self.no_text, "error": self.error}


@dataclass
class Report:
    keep_results: bool = False
    results: list[PostResult] = field(default_factory=list)
    creators: dict[str, CreatorSummary] = field(default_factory=dict)
    files: dict[str, FileTotals] = field(default_factory=dict)
    skips: list[Skip] = field(default_factory=list)
    skipped_unlisted: int = 0
    notices: list[Notice] = field(default_factory=list)
    verdicts: dict[str, int] = field(default_factory=lambda: {str(v): 0 for v in Verdict})
    highest: Severity | None = None
    suppressed: int = 0  # findings accepted by a suppression
    suppressions: list[dict[str, Any]] = field(default_factory=list)  # their status, at the end

    def add(self, result: PostResult) -> None:
        """One checked post; the result itself is kept with ``keep_results``."""
        self.add_digest(Digest.of(result))
        if self.keep_results:
            self.results.append(result)

    def add_digest(self, digest: Digest) -> None:
        """One checked post, counted from its digest (the result is not at hand: a caller
        that needs ``results`` kept uses ``add``)."""
        if digest.file is not None:
            totals = self.file(digest.file)
            totals.read += 1
            totals.checked += 1
        creator = digest.creator or UNKNOWN_CREATOR
        summary = self.creators.get(creator)
        if summary is None:
            summary = self.creators[creator] = CreatorSummary(creator)
        summary.add_digest(digest)
        self.verdicts[digest.verdict] += 1  # a StrEnum hashes and compares as its value
        self.suppressed += len(digest.suppressed)
        highest = digest.highest
        if highest is not None and (self.highest is None or
                                    _RANKS[highest] > _RANKS[self.highest]):
            self.highest = highest

    def merge(self, other: Report) -> None:
        """Add the totals of another part of the same run (a partition checked elsewhere):
        the merged report is the one a single run over all the posts would have made. Results
        kept by ``other`` are appended; suppression status lists are not merged (a partition's
        ledger counts its own posts)."""
        self.results.extend(other.results)
        for name, summary in other.creators.items():
            mine = self.creators.get(name)
            if mine is None:
                mine = self.creators[name] = CreatorSummary(name)
            mine.merge(summary)
        for name, totals in other.files.items():
            self.file(name).merge(totals)
        for skip in other.skips:
            if len(self.skips) < MAX_SKIPS_KEPT:
                self.skips.append(skip)
            else:
                self.skipped_unlisted += 1
        self.skipped_unlisted += other.skipped_unlisted
        for notice in other.notices:
            self.notice(notice)
        for verdict, count in other.verdicts.items():
            self.verdicts[verdict] = self.verdicts.get(verdict, 0) + count
        if other.highest is not None and (self.highest is None or
                                          _RANKS[other.highest] > _RANKS[self.highest]):
            self.highest = other.highest
        self.suppressed += other.suppressed

    def file(self, name: str) -> FileTotals:
        totals = self.files.get(name)
        if totals is None:
            totals = self.files[name] = FileTotals()
        return totals

    def skip(self, skip: Skip) -> None:
        totals = self.file(skip.file)
        totals.read += 1
        totals.skipped += 1
        if skip.kind == NO_TEXT:
            totals.no_text += 1
        if len(self.skips) < MAX_SKIPS_KEPT:
            self.skips.append(skip)
        else:
            self.skipped_unlisted += 1

    def notice(self, notice: Notice) -> None:
        if len(self.notices) < MAX_SKIPS_KEPT:
            self.notices.append(notice)

    @property
    def broken(self) -> int:
        """Skipped records that were malformed (not merely without text)."""
        return sum(t.skipped - t.no_text for t in self.files.values())

    @property
    def unreadable(self) -> list[str]:
        return [Text("{file}: {message}", file=name, message=t.error)
                for name, t in self.files.items() if t.error]

    @property
    def checked(self) -> int:
        return sum(self.verdicts.values())

    @property
    def skipped(self) -> int:
        return len(self.skips) + self.skipped_unlisted

    @property
    def read(self) -> int:
        return self.checked + self.skipped

    @property
    def no_text(self) -> int:
        return sum(t.no_text for t in self.files.values())

    def totals(self) -> dict[str, Any]:
        return {"read": self.read, "checked": self.checked, "skipped": self.skipped,
                "no_text": self.no_text, "unreadable_files": len(self.unreadable),
                "suppressed": self.suppressed,
                "verdicts": dict(self.verdicts)}

    def sorted_creators(self) -> list[CreatorSummary]:
        return [self.creators[k] for k in sorted(self.creators)]
