"""Per-creator aggregation and run totals. Memory grows with creators, not posts."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from skjult.i18n import UNKNOWN, Text
from skjult.items import NO_TEXT, Notice, Skip
from skjult.model import PostResult, Severity, Verdict

MAX_SKIPS_KEPT = 1000  # skips beyond this are counted, not listed
# The key of posts without a creator; machine formats (JSON, CSV) keep it as this stable code,
# reports for people show it in their language (``creator_label``).
UNKNOWN_CREATOR = UNKNOWN["en"]


def creator_label(creator: str, lang: str) -> str:
    """A creator as a report for people names it: posts without one under "(ukendt)"."""
    return UNKNOWN[lang] if creator == UNKNOWN_CREATOR else creator


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
        self.posts += 1
        self.suppressed += len(result.suppressed)
        when = result.post.created_at
        if when:
            if self.first_post is None or when < self.first_post:
                self.first_post = when
            if self.last_post is None or when > self.last_post:
                self.last_post = when
        if not result.is_commercial:
            return
        verdict = result.verdict
        self.commercial += 1
        if verdict is Verdict.COMPLIANT:
            self.compliant += 1
        elif verdict is Verdict.WARNING:
            self.warnings += 1
        else:
            self.violations += 1
        for category in {f.category for f in result.findings}:
            self.categories[category] = self.categories.get(category, 0) + 1

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
        if result.post.file is not None:
            totals = self.file(result.post.file)
            totals.read += 1
            totals.checked += 1
        creator = result.post.creator or UNKNOWN_CREATOR
        summary = self.creators.get(creator)
        if summary is None:
            summary = self.creators[creator] = CreatorSummary(creator)
        summary.add(result)
        self.verdicts[str(result.verdict)] += 1
        self.suppressed += len(result.suppressed)
        for finding in result.findings:
            if self.highest is None or finding.severity.rank > self.highest.rank:
                self.highest = finding.severity
        if self.keep_results:
            self.results.append(result)

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
