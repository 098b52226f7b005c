"""The result rows of ``skjult.tabular`` as Arrow data (``skjult[parquet]``, ``skjult[spark]``,
``skjult[dask]`` install pyarrow): the schema, and rows to and from record batches."""

from __future__ import annotations

import functools
from collections.abc import Iterable, Iterator
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from skjult.i18n import Text
from skjult.tabular import COLUMNS, NAMES, Type

_SCALARS = {"string": pa.string(), "int64": pa.int64(), "bool": pa.bool_()}


def arrow_type(kind: Type) -> pa.DataType:
    if isinstance(kind, str):
        return _SCALARS[kind]
    outer, inner = kind
    if outer == "list":
        return pa.list_(arrow_type(inner))
    return pa.struct([pa.field(name, arrow_type(sub)) for name, sub in inner])


@functools.cache
def schema(names: tuple[str, ...] = NAMES, prefix: str = "") -> pa.Schema:
    """The result columns named in ``names`` (all by default), each name after ``prefix``."""
    kinds = dict(COLUMNS)
    return pa.schema([pa.field(prefix + name, arrow_type(kinds[name])) for name in names])


def batch_of(rows: list[dict[str, Any]], names: tuple[str, ...] = NAMES,
             prefix: str = "") -> pa.RecordBatch:
    """Rows (dicts with at least ``names``) as one record batch with the result schema."""
    return pa.RecordBatch.from_arrays(
        [pa.array([row[name] for row in rows], type=arrow_type(dict(COLUMNS)[name]))
         for name in names], schema=schema(names, prefix))


def table_of(batch: pa.RecordBatch) -> pa.Table:
    return pa.Table.from_batches([batch])


def rows_of(data: pa.Table | pa.RecordBatch, limit: int | None = None
            ) -> Iterator[dict[str, Any] | Exception]:
    """A table's or batch's rows as dicts, a slice at a time (never the whole table as Python
    objects). A row that cannot become Python objects (text that is not UTF-8, a date past
    9999) or holds a text longer than ``limit`` characters comes as the exception that says
    why, in its place: one bad cell costs its row, not the table."""
    batches: Iterable[pa.RecordBatch] = data.to_batches() if isinstance(data, pa.Table) \
        else (data,)
    for batch in batches:
        batch = _microseconds(batch)
        lengths = list(_texts(batch))
        too_long = _too_long(lengths, limit) if limit is not None else {}
        chars = _row_chars(lengths, batch.num_rows, too_long)
        start = 0
        while start < batch.num_rows:
            size = _slice_rows(chars, start)
            part = batch.slice(start, size)
            if any(start <= row < start + size for row in too_long):
                yield from _one_by_one(part, start, too_long)
            else:
                try:
                    yield from records_of(part)
                except _CELL_ERRORS:
                    yield from _one_by_one(part, start, too_long)
            start += size


def records_of(data: pa.Table | pa.RecordBatch) -> list[dict[str, Any]]:
    """The rows as dicts, dates and timestamps as ISO 8601 text (as JSON exports write them,
    and as the command line reads a Parquet file: the same post either way)."""
    records: list[dict[str, Any]] = data.to_pylist()
    dated = [f.name for f in data.schema
             if pa.types.is_timestamp(f.type) or pa.types.is_date(f.type)]
    if dated:
        for record in records:
            for name in dated:
                value = record.get(name)
                if value is not None and hasattr(value, "isoformat"):
                    record[name] = value.isoformat()
    return records


# What turning an Arrow cell into a Python object can raise (bad UTF-8, a date out of range).
_CELL_ERRORS = (pa.ArrowException, UnicodeDecodeError, OverflowError, ValueError)
SLICE_CHARS = 4_000_000  # characters of text made into Python objects at a time


def _one_by_one(part: pa.RecordBatch, start: int, too_long: dict[int, Exception]
                ) -> Iterator[dict[str, Any] | Exception]:
    for offset in range(part.num_rows):
        if start + offset in too_long:
            yield too_long[start + offset]
            continue
        try:
            yield records_of(part.slice(offset, 1))[0]
        except _CELL_ERRORS as exc:
            yield exc


def _texts(batch: pa.RecordBatch) -> Iterator[tuple[str, pa.Array]]:
    """Each text column of the batch with the length of its cells (characters, or bytes)."""
    for field, column in zip(batch.schema, batch.columns, strict=True):
        kind = field.type
        values, indices = (column.dictionary, column.indices) \
            if pa.types.is_dictionary(kind) else (column, None)
        value_type = values.type
        try:
            if pa.types.is_string(value_type) or pa.types.is_large_string(value_type):
                lengths = pc.utf8_length(values)
            elif pa.types.is_binary(value_type) or pa.types.is_large_binary(value_type):
                lengths = pc.binary_length(values)
            else:
                continue
            # a dictionary's values are counted once, then looked up: a few hundred bytes of
            # file can name a 5 MB text in every row without it ever being decoded
            yield field.name, pc.take(lengths, indices) if indices is not None else lengths
        except pa.ArrowException:
            continue


def _too_long(lengths: list[tuple[str, pa.Array]], limit: int) -> dict[int, Exception]:
    """The rows holding a text longer than ``limit``, each with the error to skip it with."""
    found: dict[int, Exception] = {}
    for name, column in lengths:
        over = pc.fill_null(pc.greater(column, limit), False)
        if not pc.any(over).as_py():
            continue
        for row in pc.indices_nonzero(over).to_pylist():
            found.setdefault(row, ValueError(Text(
                "{column}: a text of {length:n} characters; no post has one so long (at most "
                "{limit:n})", column=name, length=column[row].as_py(), limit=limit)))
    return found


def _row_chars(lengths: list[tuple[str, pa.Array]], rows: int,
               too_long: dict[int, Exception]) -> list[int]:
    """The characters of text in each row (0 for rows skipped as too long)."""
    if not lengths:
        return [0] * rows
    total = pc.fill_null(lengths[0][1], 0)
    for _, more in lengths[1:]:
        total = pc.add(total, pc.fill_null(more, 0))
    chars: list[int] = total.to_pylist()
    for row in too_long:
        chars[row] = 0
    return chars


def _slice_rows(chars: list[int], start: int) -> int:
    """How many rows from ``start`` to make Python objects of at once: as many as hold at most
    ``SLICE_CHARS`` characters of text (at least one)."""
    total = 0
    for row in range(start, len(chars)):
        total += chars[row]
        if total > SLICE_CHARS and row > start:
            return row - start
    return len(chars) - start


def _microseconds(batch: pa.RecordBatch) -> pa.RecordBatch:
    """Nanosecond timestamps as microseconds: Python's datetime has no finer unit (and pyarrow
    would want pandas for them)."""
    if not any(pa.types.is_timestamp(f.type) and f.type.unit == "ns" for f in batch.schema):
        return batch
    columns = [c.cast(pa.timestamp("us", f.type.tz), safe=False)
               if pa.types.is_timestamp(f.type) and f.type.unit == "ns" else c
               for f, c in zip(batch.schema, batch.columns, strict=True)]
    return pa.RecordBatch.from_arrays(columns, names=batch.schema.names)


def flattened(data: pa.Table | pa.RecordBatch) -> pa.Table:
    """Struct columns spread into one column per field, named by dotted path (``user.name``),
    so that ``--map caption=post.text`` reads a nested column; lists stay as they are."""
    table = data if isinstance(data, pa.Table) else pa.Table.from_batches([data])
    while any(pa.types.is_struct(field.type) for field in table.schema):
        table = table.flatten()
    return table
