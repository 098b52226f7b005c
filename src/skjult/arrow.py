"""The result rows of ``skjult.tabular`` as Arrow data (``skjult[parquet]``, ``skjult[spark]``,
``skjult[dask]`` install pyarrow): the schema, and rows to and from record batches."""

from __future__ import annotations

import functools
from collections.abc import Iterable, Iterator
from typing import Any

import pyarrow as pa

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


def rows_of(data: pa.Table | pa.RecordBatch) -> Iterator[dict[str, Any]]:
    """A table's or batch's rows as dicts, batch by batch (a table is not turned into Python
    objects all at once)."""
    batches: Iterable[pa.RecordBatch] = data.to_batches(max_chunksize=1024) \
        if isinstance(data, pa.Table) else (data,)
    for batch in batches:
        yield from records_of(batch)


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


def flattened(data: pa.Table | pa.RecordBatch) -> pa.Table:
    """Struct columns spread into one column per field, named by dotted path (``user.name``),
    so that ``--map caption=post.text`` reads a nested column; lists stay as they are."""
    table = data if isinstance(data, pa.Table) else pa.Table.from_batches([data])
    while any(pa.types.is_struct(field.type) for field in table.schema):
        table = table.flatten()
    return table
