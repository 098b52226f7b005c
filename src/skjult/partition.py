"""Checking one part of a large collection where it lies: a Spark or Dask partition, a Parquet
row group, any iterable of records. Each part gives its result rows (``skjult.tabular``) and a
``Report`` of its own; the reports of all the parts merge (``merge``) into the report one run
over every post would have made, and ``render`` prints it as the command line does.

    >>> part = check_partition([{"text": "Tak til @brand for gaven", "user": "anna"}],
    ...                        caption="text", creator="user")
    >>> part.rows[0]["verdict"], part.summary.creators["anna"].violations
    ('violation', 1)
"""

from __future__ import annotations

import functools
import sys
from collections import deque
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from skjult.checker import Checker
from skjult.errors import did_you_mean
from skjult.i18n import DEFAULT_LANG, Text
from skjult.items import Skip
from skjult.model import Post
from skjult.readers.base import ReadOptions
from skjult.readers.generic import convert_record, generic_post
from skjult.readers.records import ALIASES, FIELDS, has_field, key_index
from skjult.report.summary import Report
from skjult.run.runner import Runner
from skjult.tabular import NAMES, row_of, skipped_row

# What the rows of a partition are named by when the caller gives no name: skips are listed
# under it, so that the reports of partitions merge into one entry.
RECORDS = "(records)"


@functools.lru_cache(maxsize=4)
def checker_for(jurisdiction: str = "dk", lang: str = DEFAULT_LANG,
                extra_packs: tuple[str, ...] = ()) -> Checker:
    """One ``Checker`` per process and settings: a Spark executor or Dask worker builds the rule
    set once and uses it for every partition it is given."""
    return Checker(jurisdiction, lang=lang, extra_packs=extra_packs)


@dataclass
class Partition:
    """A partition's result rows (in the kind of data it came as: a list of dicts, an Arrow
    table, a pandas DataFrame), one per record in input order, and its report."""

    rows: Any
    summary: Report


def columns_of(fields: Mapping[str, str | None]) -> dict[str, str]:
    """``caption="text", creator="user"`` as the mapping of fields to columns (``--map``);
    keywords that name no field are a ``TypeError`` with what is accepted."""
    mapping: dict[str, str] = {}
    for field, column in fields.items():
        if field not in FIELDS:
            raise TypeError(f"unexpected keyword argument {field!r} "
                            f"({did_you_mean(field, FIELDS) or 'it names no field of a post'}); "
                            f"the fields are {', '.join(FIELDS)}")
        if column is None:
            continue
        if not isinstance(column, str):
            raise ValueError(f"{field} names a column: give its name as text, not "
                             f"{type(column).__name__}")
        mapping[field] = column
    return mapping


def check_columns(names: Iterable[str], mapping: Mapping[str, str]) -> None:
    """A ``ValueError`` for a column named in ``mapping`` that the data does not have, or for
    data in which no column holds captions."""
    names = list(names)
    shape = dict.fromkeys(names)
    index = key_index(shape)
    for field, column in mapping.items():
        if not has_field(shape, index, field, {field: column}):
            hint = did_you_mean(column, names) or f"the columns are {', '.join(names)}"
            extra = f"; for one {field} for every post, use defaults={{{field!r}: ...}}" \
                if field in ("platform", "creator", "audience", "paid_partnership") else ""
            raise ValueError(f"{field}={column!r}: no such column ({hint}){extra}")
    if "caption" not in mapping and not has_field(shape, index, "caption", {}):
        raise ValueError(f"no caption column (the columns are {', '.join(names)}); name it with "
                         f"caption=... (known names: {', '.join(ALIASES['caption'][:4])}, ...)")


def result_rows(records: Iterable[Mapping[str, Any]], report: Report, *,
                checker: Checker | None = None, mapping: Mapping[str, str] | None = None,
                defaults: Mapping[str, Any] | None = None, name: str | None = None
                ) -> Iterator[dict[str, Any]]:
    """Each record's result row, in order, as it is checked (streamed); what was checked and
    skipped is added to ``report``. Records are read as the command line reads a JSON Lines
    file's (the same column names, ``mapping`` as ``--map``, ``defaults`` as ``--platform``,
    ``--creator``, ...). With a ``name`` the posts' ``source`` is ``name:row N``."""
    checker = checker or checker_for()
    options = ReadOptions(mapping=dict(mapping or {}), defaults=dict(defaults or {}))
    where = name or RECORDS
    # Input order: None where a post waits for its result, a row where a record was skipped.
    waiting: deque[dict[str, Any] | None] = deque()

    def posts() -> Iterator[Post]:
        for number, record in enumerate(records, 1):
            item = convert_record(record, where, Text("row {number}", number=number),
                                  generic_post, options)
            if isinstance(item, Post):
                if name is None:  # a partition of a table: no file or line to point at
                    item.source = None
                waiting.append(None)
                yield item
            else:
                assert isinstance(item, Skip)
                report.skip(item)
                waiting.append(skipped_row(item.reason, source=str(item) if name else None))

    runner = Runner(checker.ruleset, checker.lang, judge=checker.runner.judge)
    for result in runner.results(posts()):
        while waiting[0] is not None:
            yield waiting.popleft()  # type: ignore[misc]
        waiting.popleft()
        report.add(result)
        yield row_of(result)
    while waiting:
        row = waiting.popleft()
        assert row is not None
        yield row
    report.suppressions = runner.ledger.status()


def check_partition(data: Any, *, jurisdiction: str = "dk", lang: str = DEFAULT_LANG,
                    defaults: Mapping[str, Any] | None = None, name: str | None = None,
                    extra_packs: Iterable[str | Path] = (), checker: Checker | None = None,
                    **columns: str | None) -> Partition:
    """Check one partition: an iterable of dicts, a pyarrow ``Table``/``RecordBatch`` or a
    pandas ``DataFrame``. Keywords name the columns fields are in (``caption="text"``,
    ``creator="user"``, ``platform=``, ``created_at=``, ``id=``, ``url=``, ``brand=``,
    ``paid_partnership=``, ``audience=``); unnamed ones are found by their usual names.
    ``defaults`` gives values for posts without one (``{"platform": "tiktok"}``).

    Returns the rows in the kind of data given (list of dicts, Arrow table, DataFrame) and the
    partition's ``Report``; merge the reports of all partitions with ``merge``."""
    mapping = columns_of(columns)
    checker = checker or checker_for(jurisdiction, lang, tuple(str(p) for p in extra_packs))
    report = Report()
    kind = _kind(data)
    if kind == "records":
        if isinstance(data, str | bytes | Mapping):
            raise ValueError(f"data must be an iterable of records (dicts), a pyarrow Table or "
                             f"a pandas DataFrame, not one {type(data).__name__}")
        rows = list(result_rows(data, report, checker=checker, mapping=mapping,
                                defaults=defaults, name=name))
        return Partition(rows, report)
    from skjult import arrow

    table = arrow.flattened(_as_arrow(data, kind))
    check_columns(table.column_names, mapping)
    rows = list(result_rows(arrow.rows_of(table), report, checker=checker, mapping=mapping,
                            defaults=defaults, name=name))
    out = arrow.batch_of(rows)
    if kind == "pandas":
        # integers in lists stay integers where some are null (a signal from metadata has no
        # offsets): else pandas makes them floats, and the jsonl record would not come back
        return Partition(out.to_pandas(integer_object_nulls=True), report)
    return Partition(arrow.table_of(out), report)


def _kind(data: Any) -> str:
    module = type(data).__module__.split(".")[0]
    if module == "pyarrow" and type(data).__name__ in ("Table", "RecordBatch"):
        return "arrow"
    if module == "pandas" and type(data).__name__ == "DataFrame":
        return "pandas"
    return "records"


def _as_arrow(data: Any, kind: str) -> Any:
    import pyarrow as pa

    if kind == "pandas":
        return pa.Table.from_pandas(data, preserve_index=False)
    return data


def merge(summaries: Iterable[Report]) -> Report:
    """One report from the reports of many partitions: the one a single run would have made
    (per-creator counts, verdicts, files, skips)."""
    merged = Report()
    for summary in summaries:
        merged.merge(summary)
    return merged


def render(report: Report, fmt: str = "text", *, out: IO[str] | None = None,
           jurisdiction: str = "dk", lang: str = DEFAULT_LANG, inputs: Iterable[str] = ()) -> None:
    """Write a (merged) report as the command line ends its report in ``fmt``: ``text``,
    ``json``, ``html``, or ``csv`` (one row per creator)."""
    from skjult.report import formatter
    from skjult.runinfo import describe_run

    if fmt not in ("text", "json", "html", "csv"):
        raise ValueError(f"fmt must be text, json, html or csv, not {fmt!r}")
    checker = checker_for(jurisdiction, lang)
    sink = formatter(fmt, out or sys.stdout, lang=lang, rules=checker.rules,
                     options={"per": "creator", "delimiter": ",", "bom": False})
    sink.start(describe_run(checker.ruleset, lang, list(inputs)))
    sink.finish(report)


__all__ = ["NAMES", "Partition", "check_partition", "checker_for", "merge", "render",
           "result_rows"]
