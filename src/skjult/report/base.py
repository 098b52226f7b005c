"""What every output format implements: called once per post, then once at the end."""

from __future__ import annotations

from typing import IO, Any

from skjult.model import PostResult
from skjult.report.summary import Report

SCHEMA_VERSION = "1"


class Formatter:
    def __init__(self, out: IO[str], *, color: bool = False, lang: str = "da"):
        self.out = out
        self.color = color
        self.lang = lang

    def start(self, meta: dict[str, Any]) -> None:
        """Before the first post; ``meta`` says which pack and version produced the run."""

    def post(self, result: PostResult) -> None:
        """One checked post, in input order."""

    def finish(self, report: Report) -> None:
        """After the last post: summaries, skips and totals."""
