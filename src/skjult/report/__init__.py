"""Per-creator aggregation and one module per output format."""

from __future__ import annotations

from collections.abc import Sequence
from typing import IO, Any

from skjult.report.base import Formatter
from skjult.report.csv_format import CsvFormatter
from skjult.report.github_format import GithubFormatter
from skjult.report.html_format import HtmlFormatter
from skjult.report.json_format import JsonFormatter, JsonLinesFormatter
from skjult.report.line_format import LineFormatter
from skjult.report.sarif_format import SarifFormatter
from skjult.report.text_format import TextFormatter
from skjult.rules.rule import Rule

FORMATTERS: dict[str, type[Formatter]] = {
    "text": TextFormatter,
    "json": JsonFormatter,
    "jsonl": JsonLinesFormatter,
    "csv": CsvFormatter,
    "sarif": SarifFormatter,
    "github": GithubFormatter,
    "line": LineFormatter,
    "html": HtmlFormatter,
}


def formatter(name: str, out: IO[str], *, color: bool = False, lang: str = "da",
              rules: Sequence[Rule] = (), options: dict[str, Any] | None = None) -> Formatter:
    return FORMATTERS[name](out, color=color, lang=lang, rules=rules, options=options)
