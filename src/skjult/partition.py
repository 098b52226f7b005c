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

import datetime as dt
import functools
import itertools
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
from skjult.readers.base import ReadOptions, skip_for
from skjult.readers.generic import convert_record, generic_post
from skjult.readers.limits import MAX_CAPTION_CHARS
from skjult.readers.records import ALIASES, FIELDS, has_field, key_index, unused_names
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


def result_rows(records: Iterable[Mapping[str, Any] | Exception], report: Report, *,
                checker: Checker | None = None, mapping: Mapping[str, str] | None = None,
                defaults: Mapping[str, Any] | None = None, name: str | None = None
                ) -> Iterator[dict[str, Any]]:
    """Each record's result row, in order, as it is checked (streamed); what was checked and
    skipped is added to ``report``. Records are read as the command line reads a JSON Lines
    file's (the same column names, ``mapping`` as ``--map``, ``defaults`` as ``--platform``,
    ``--creator``, ...). With a ``name`` the posts' ``source`` is ``name:row N``. A record
    given as an exception (a row that could not be read) is skipped with it as the reason."""
    checker = checker or checker_for()
    options = ReadOptions(mapping=dict(mapping or {}), defaults=dict(defaults or {}))
    where = name or RECORDS
    # Input order: None where a post waits for its result, a row where a record was skipped.
    waiting: deque[dict[str, Any] | None] = deque()

    def posts() -> Iterator[Post]:
        for number, record in enumerate(records, 1):
            position = Text("row {number}", number=number)
            item = skip_for(record, where, position) if isinstance(record, Exception) else \
                convert_record(_plain_record(record), where, position, generic_post, options)
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


def check_partition(data: Any, *, jurisdiction: str | None = None, lang: str | None = None,
                    defaults: Mapping[str, Any] | None = None, name: str | None = None,
                    extra_packs: Iterable[str | Path] = (), checker: Checker | None = None,
                    **columns: str | None) -> Partition:
    """Check one partition: an iterable of dicts (or of pyarrow ``RecordBatch``es), a pyarrow
    ``Table``/``RecordBatch`` or a pandas ``DataFrame``. Keywords name the columns fields are in
    (``caption="text"``, ``creator="user"``, ``platform=``, ``created_at=``, ``id=``, ``url=``,
    ``brand=``, ``paid_partnership=``, ``audience=``); unnamed ones are found by their usual
    names. ``defaults`` gives values for posts without one (``{"platform": "tiktok"}``).
    ``jurisdiction`` (default ``dk``), ``lang`` and ``extra_packs`` choose the rules, or
    ``checker`` gives a ``Checker`` built already (then not those).

    Returns the rows in the kind of data given (list of dicts, Arrow table, DataFrame) and the
    partition's ``Report``; merge the reports of all partitions with ``merge``. Only the columns
    a field is read from are converted; a row that cannot be read (a text that is not UTF-8, a
    caption longer than any platform allows) is a skipped row, not a failed partition."""
    mapping = columns_of(columns)
    packs = tuple(str(p) for p in extra_packs)
    if checker is not None:
        if jurisdiction is not None or lang is not None or packs:
            raise ValueError("give either checker= or the rules (jurisdiction=, lang=, "
                             "extra_packs=), not both")
    else:
        checker = checker_for(jurisdiction or "dk", lang or DEFAULT_LANG, packs)
    report = Report()
    kind = _kind(data)
    if kind == "records":
        if isinstance(data, str | bytes | Mapping):
            raise ValueError(f"data must be an iterable of records (dicts), a pyarrow Table or "
                             f"a pandas DataFrame, not one {type(data).__name__}")
        items = iter(data)
        first = next(items, None)
        if _kind(first) == "arrow":  # the batches Spark's mapInArrow hands a function
            import pyarrow as pa

            data, kind = pa.Table.from_batches([first, *items]), "arrow"
        else:
            records = itertools.chain([first], items) if first is not None else iter(())
            rows = list(result_rows(records, report, checker=checker, mapping=mapping,
                                    defaults=defaults, name=name))
            return Partition(rows, report)
    from skjult import arrow

    if kind == "pandas":
        source: Iterable[Mapping[str, Any] | Exception] = _pandas_rows(data, mapping)
    else:
        table = arrow.flattened(data)
        names = [str(n) for n in table.column_names]
        _one_of_each(names)
        check_columns(names, mapping)
        table = table.select(_read(names, mapping))
        source = arrow.rows_of(table, MAX_CAPTION_CHARS)
    rows = list(result_rows(source, report, checker=checker, mapping=mapping,
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


def _one_of_each(names: list[str]) -> None:
    twice = sorted({n for n in names if names.count(n) > 1}) if len(set(names)) < len(names) \
        else []
    if twice:  # which of them a field would read cannot be told
        raise ValueError(f"more than one column is named {', '.join(map(repr, twice))}; rename "
                         f"them")


def _read(names: list[str], mapping: Mapping[str, str]) -> list[str]:
    """The columns a field is read from (the others are never converted)."""
    unused = set(unused_names(names, mapping))
    return [n for n in names if n not in unused]


def _pandas_rows(frame: Any, mapping: Mapping[str, str]
                 ) -> Iterator[Mapping[str, Any] | Exception]:
    """A DataFrame's rows, through Arrow where its columns convert (the same rows as from an
    Arrow table), else record by record (a column of mixed types, a lone surrogate)."""
    import pyarrow as pa

    from skjult import arrow

    names = [str(n) for n in frame.columns]
    _one_of_each(names)
    # a column of dicts is a struct: its fields are named by dotted path only once converted
    nested = [m for m in mapping.values() if "." in m and m.split(".")[0] in names]
    check_columns([*names, *nested], mapping)
    read = set(_read(names, mapping))
    keep = [c for c, n in zip(frame.columns, names, strict=True)
            if n in read or any(m.startswith(n + ".") for m in nested)]
    part = frame[keep]
    part.columns = [str(c) for c in keep]
    try:
        table = arrow.flattened(pa.Table.from_pandas(part, preserve_index=False))
    except (pa.ArrowException, TypeError, ValueError, UnicodeError):
        return iter(part.to_dict("records"))
    return arrow.rows_of(table.select(_read(table.column_names, mapping)), MAX_CAPTION_CHARS)


def _plain_record(record: Any) -> Any:
    """A record's missing values (pandas' NaN, NA, NaT) as None and its dates as ISO 8601
    text, as a record from Arrow has them."""
    if not isinstance(record, Mapping):
        return record
    plain: dict[Any, Any] = {}
    for key, value in record.items():
        if (isinstance(value, float) and value != value) or type(value).__name__ in _MISSING:
            value = None
        elif isinstance(value, dt.date):
            value = value.isoformat()
        plain[key] = value
    return plain


_MISSING = ("NAType", "NaTType")


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
