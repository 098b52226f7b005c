"""``parquet``: one row per checked post with typed columns (``skjult.tabular``: the post, the
verdict, the commercial level and signals, a count per category, the findings as a list of
structs), for Spark, Dask, DuckDB or pandas to read. Needs ``skjult[parquet]`` and ``-o``.

Rows are written in row groups as they come (``ROWS`` posts, or fewer when their captions hold
more than ``CHARS`` characters), so memory stays bounded."""

from __future__ import annotations

from typing import IO, Any

from skjult.model import PostResult
from skjult.report.base import Formatter
from skjult.report.summary import Report
from skjult.report.terminal import encodable
from skjult.tabular import row_of

ROWS = 10_000  # posts per row group
CHARS = 20_000_000  # characters of captions held before a row group is written


class ParquetFormatter(Formatter):
    def __init__(self, out: IO[str], **settings: Any) -> None:
        super().__init__(out, **settings)
        import pyarrow.parquet  # noqa: F401 - fails here, before any post is checked

        self._file = out
        self._rows: list[dict[str, Any]] = []
        self._chars = 0
        self._writer: Any = None

    def post(self, result: PostResult) -> None:
        row = _encodable(row_of(result))
        self._rows.append(row)
        self._chars += len(row["caption"])
        if len(self._rows) >= ROWS or self._chars >= CHARS:
            self._write()

    def finish(self, report: Report) -> None:
        self._write()
        if self._writer is None:  # no post: a file with the columns and no rows
            self._open()
        self._writer.close()

    def _open(self) -> None:
        import pyarrow.parquet as pq

        from skjult.arrow import schema

        self._file.flush()
        # bytes go to the text stream's own file (the -o file, replaced only at the end)
        self._writer = pq.ParquetWriter(self._file.buffer,  # type: ignore[attr-defined]
                                        schema(), compression="zstd")

    def _write(self) -> None:
        if not self._rows:
            return
        from skjult.arrow import batch_of

        batch = batch_of(self._rows)  # made before the file is: a failure leaves no writer
        if self._writer is None:
            self._open()
        self._writer.write_batch(batch)
        self._rows = []
        self._chars = 0


def _encodable(value: Any) -> Any:
    """The row with lone surrogates (half an emoji pair from a JSON export, a file name that is
    not UTF-8) replaced, as every other format writes them: Parquet text must be UTF-8."""
    if isinstance(value, str):
        if value.isascii():
            return value
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return encodable(value)
        return value
    if isinstance(value, dict):
        return {key: _encodable(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_encodable(item) for item in value]
    return value
