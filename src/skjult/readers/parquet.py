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
from skjult.readers.base import Item, ReadOptions, skip_for
from skjult.readers.document import Document
from skjult.readers.errors import InputError
from skjult.readers.format import InputFormat
from skjult.readers.generic import check_header, convert_record, generic_post
from skjult.readers.limits import MAX_CAPTION_CHARS
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
            names = _leaf_names(parquet.schema_arrow)
            # text columns stay dictionary-encoded as read, so that their lengths are known
            # before any text is decoded (see skjult.arrow.rows_of)
            parquet = pq.ParquetFile(source, metadata=parquet.metadata,
                                     read_dictionary=_text_columns(parquet.schema_arrow))
        except (pa.ArrowException, OSError, ValueError) as exc:
            raise InputError(doc.name, Text("not a readable Parquet file: {error}",
                                            error=str(exc))) from None
        twice = sorted({n for n in names if names.count(n) > 1}) if len(set(names)) < len(names) \
            else []
        if twice:  # which of them a field would read cannot be told
            raise InputError(doc.name, Text("more than one column is named {names}; rename "
                                            "them", names=", ".join(twice)))
        # every column, read only when no column holds captions: their values say which might
        samples = ((position, r) for position, r in _rows(parquet, names, doc.name)
                   if not isinstance(r, Exception))
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
        left_out = set(unused)
        read = [n for n in names if n not in left_out]
        for position, record in _rows(parquet, read, doc.name):
            if isinstance(record, Exception):
                yield skip_for(record, doc.name, position)
            else:
                yield convert_record(record, doc.name, position, generic_post, options)


def _rows(parquet: Any, columns: list[str], name: str
          ) -> Iterator[tuple[str, dict[str, Any] | Exception]]:
    """Each row of the columns read, with its position (``row 12``), nested fields flattened
    to dotted names, dates as ISO 8601 text; a row that cannot be read as the exception that
    says why."""
    import pyarrow as pa

    from skjult.arrow import flattened, rows_of

    wanted = set(columns)
    number = 0
    try:
        for batch in parquet.iter_batches(batch_size=BATCH_ROWS, columns=columns):
            table = flattened(batch)
            table = table.select([c for c in table.column_names if c in wanted])
            for record in rows_of(table, MAX_CAPTION_CHARS):
                number += 1
                yield Text("row {number}", number=number), record
    except (pa.ArrowException, OSError) as exc:
        raise InputError(name, Text("not a readable Parquet file: {error}",
                                    error=str(exc))) from None


def _text_columns(schema: Any) -> list[str]:
    import pyarrow as pa

    return [name for name, field in zip(_leaf_names(schema), _leaf_fields(schema), strict=True)
            if pa.types.is_string(field.type) or pa.types.is_large_string(field.type)
            or pa.types.is_binary(field.type) or pa.types.is_large_binary(field.type)]


def _leaf_fields(schema: Any) -> list[Any]:
    import pyarrow as pa

    out: list[Any] = []

    def walk(field: Any) -> None:
        if pa.types.is_struct(field.type):
            for child in field.type:
                walk(child)
        else:
            out.append(field)

    for field in schema:
        walk(field)
    return out


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
