"""``csv``: one row per post, ready for a spreadsheet."""

from __future__ import annotations

import csv
from typing import Any

from skjult.model import PostResult
from skjult.report.base import Formatter

COLUMNS = ("id", "creator", "platform", "created_at", "url", "verdict", "commercial", "signals",
           "disclosures", "rules", "categories", "messages", "fixes", "source")


class CsvFormatter(Formatter):
    def start(self, meta: dict[str, Any]) -> None:
        self._writer = csv.writer(self.out, lineterminator="\n")
        self._writer.writerow(COLUMNS)

    def post(self, result: PostResult) -> None:
        post, findings = result.post, result.findings
        self._writer.writerow([
            post.id or "",
            post.creator or "",
            post.platform or "",
            post.created_at or "",
            post.url or "",
            str(result.verdict),
            result.commercial.level.label,
            " | ".join(f"{s.termset}: {s.text}" for s in result.commercial.signals),
            " | ".join(f"{d.kind}: {d.text}" for d in result.disclosures),
            " | ".join(f.rule for f in findings),
            " | ".join(sorted({f.category for f in findings})),
            " | ".join(f.message for f in findings),
            " | ".join(f.fix for f in findings if f.fix),
            post.source or "",
        ])
