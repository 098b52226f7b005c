"""Per-creator aggregation and run totals. Memory grows with creators, not posts."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from skjult.i18n import UNKNOWN, Text
from skjult.model import NO_TEXT, CreatorSummary, FileTotals, Notice, PostResult, Severity, Skip, Verdict

MAX_SKIPS_KEPT = 1000  # skips beyond this are counted, not listed
# The key of posts without a creator; machine formats (JSON, CSV) keep it as this stable code,
# reports for people show it in their language (``creator_label``).
UNKNOWN_CREATOR = UNKNOWN["en"]


def creator_label(creator: str, lang: str) -> str:
    """A creator as a report for people names it: posts without one under "(ukendt)"."""
    return UNKNOWN[lang] if creator == UNKNOWN_CREATOR else creator


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
