"""Apache Parquet (``skjult[parquet]``, read with pyarrow): the columnar files research
collections and Spark or Dask jobs keep posts in. Read batch by batch within row groups, so
memory is bounded by a row group, not by the file; only the columns a post's fields are read
from are decoded. Columns are named as in CSV (the same known names, ``--map``); a struct
column's fields by dotted path (``--map caption=post.text``)."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from typing import IO, Any

from skjult.i18n import Text
from skjult.items import Notice, Opened
from skjult.readers.base import Item, ReadOptions
from skjult.readers.document import Document
from skjult.readers.errors import InputError
from skjult.readers.format import InputFormat
from skjult.readers.generic import check_header, convert_record, generic_post
from skjult.readers.records import Columns, has_field, key_index, unused_names

NAME = "parquet"
MAGIC = b"PAR1"  # a Parquet file starts (and ends) with these four bytes
BATCH_ROWS = 1024  # rows turned into Python objects at a time


def read_parquet(doc: Document, options: ReadOptions) -> Iterator[Item]:
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        raise InputError(doc.name, Text("reading Parquet needs pyarrow: pip install "
                                        "'skjult[parquet]'")) from None
    yield Opened(doc.name, NAME)
    with _seekable(doc) as source:
        try:
            parquet = pq.ParquetFile(source)
        except (pa.ArrowException, OSError, ValueError) as exc:
            raise InputError(doc.name, Text("not a readable Parquet file: {error}",
                                            error=str(exc))) from None
        names = _leaf_names(parquet.schema_arrow)
        # every column, read only when no column holds captions: their values say which might
        samples = ((Text("row {number}", number=n), r)
                   for n, r in _numbered(_batches(parquet, names, doc.name)))
        shape = dict.fromkeys(names)
        index = key_index(shape)
        complete = has_field(shape, index, "caption", options.mapping) and all(
            has_field(shape, index, field, options.mapping) for field in options.mapping)
        check_header(names, samples, None if complete else next(samples, None), doc.name,
                     options)  # raises when a column is missing
        unused = unused_names(names, options.mapping)
        if unused:
            yield Notice(doc.name, Text("columns not used: {columns}",
                                        columns=Columns(unused).listing()))
        read = [n for n in names if n not in set(unused)]
        for number, record in _numbered(_batches(parquet, read, doc.name)):
            yield convert_record(record, doc.name, Text("row {number}", number=number),
                                 generic_post, options)


def _numbered(batches: Iterator[list[dict[str, Any]]]) -> Iterator[tuple[int, dict[str, Any]]]:
    number = 0
    for batch in batches:
        for record in batch:
            number += 1
            yield number, record


def _batches(parquet: Any, columns: list[str], name: str) -> Iterator[list[dict[str, Any]]]:
    """The rows of the columns read, ``BATCH_ROWS`` at a time, with nested fields flattened to
    dotted names and dates as ISO 8601 text."""
    import pyarrow as pa

    from skjult.arrow import flattened, records_of

    try:
        for batch in parquet.iter_batches(batch_size=BATCH_ROWS, columns=columns):
            yield records_of(flattened(batch).select([c for c in columns if c in _names(batch)]))
    except (pa.ArrowException, OSError) as exc:
        raise InputError(name, Text("not a readable Parquet file: {error}",
                                    error=str(exc))) from None


def _names(batch: Any) -> set[str]:
    return set(_leaf_names(batch.schema))


def _leaf_names(schema: Any) -> list[str]:
    """Column names with struct fields spread out by dotted path (``post.text``)."""
    import pyarrow as pa

    out: list[str] = []

    def walk(prefix: str, field: Any) -> None:
        if pa.types.is_struct(field.type):
            for child in field.type:
                walk(f"{prefix}{field.name}.", child)
        else:
            out.append(prefix + field.name)

    for field in schema:
        walk("", field)
    return out


class _seekable:
    """The document as a seekable binary file: a file on disk as it is; a zip member or
    standard input copied to a temporary file first (Parquet keeps its index at the end)."""

    def __init__(self, doc: Document):
        self.doc = doc
        self.stream: IO[bytes] | None = None

    def __enter__(self) -> IO[bytes]:
        stream = self.doc.binary()
        if stream.seekable():
            self.stream = stream
            return stream
        copy = tempfile.TemporaryFile()  # closed in __exit__
        try:
            shutil.copyfileobj(stream, copy, 1 << 20)
        finally:
            stream.close()
        copy.seek(0)
        self.stream = copy
        return copy

    def __exit__(self, *exc: object) -> None:
        if self.stream is not None:
            self.stream.close()


FORMAT = InputFormat(
    name=NAME,
    title=Text("Apache Parquet: one post per row (needs skjult[parquet])"),
    hand_in=Text("a .parquet file"),
    read_file=read_parquet,
    suffixes=(".parquet", ".pq"),
    magic=MAGIC,
)
