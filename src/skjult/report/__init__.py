"""Per-creator aggregation and one module per output format.

The registry names each format's module and class; a run imports only the one it writes (the
start-up of a one-caption check is part of the product)."""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from typing import IO, Any

from skjult.report.base import Formatter
from skjult.rules.rule import Rule

FORMATTERS: dict[str, tuple[str, str]] = {
    "text": ("text_format", "TextFormatter"),
    "json": ("json_format", "JsonFormatter"),
    "jsonl": ("json_format", "JsonLinesFormatter"),
    "csv": ("csv_format", "CsvFormatter"),
    "sarif": ("sarif_format", "SarifFormatter"),
    "github": ("github_format", "GithubFormatter"),
    "line": ("line_format", "LineFormatter"),
    "html": ("html_format", "HtmlFormatter"),
    "parquet": ("parquet_format", "ParquetFormatter"),  # needs skjult[parquet] and -o
}


def formatter_class(name: str) -> type[Formatter]:
    module, cls = FORMATTERS[name]
    found: type[Formatter] = getattr(importlib.import_module(f"skjult.report.{module}"), cls)
    return found


def formatter(name: str, out: IO[str], *, color: bool = False, lang: str = "da",
              rules: Sequence[Rule] = (), options: dict[str, Any] | None = None) -> Formatter:
    return formatter_class(name)(out, color=color, lang=lang, rules=rules, options=options)
