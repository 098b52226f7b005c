"""Per-creator aggregation and one module per output format."""

from __future__ import annotations

from typing import IO

from skjult.report.base import Formatter
from skjult.report.csv_format import CsvFormatter
from skjult.report.json_format import JsonFormatter, JsonLinesFormatter
from skjult.report.text_format import TextFormatter

FORMATTERS: dict[str, type[Formatter]] = {
    "text": TextFormatter,
    "json": JsonFormatter,
    "jsonl": JsonLinesFormatter,
    "csv": CsvFormatter,
}


def formatter(name: str, out: IO[str], *, color: bool = False, lang: str = "da") -> Formatter:
    return FORMATTERS[name](out, color=color, lang=lang)
