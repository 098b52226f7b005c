"""``parquet``: one row per checked post with typed columns (``skjult.tabular``: the post, the
verdict, the commercial level and signals, a count per category, the findings as a list of
structs), for Spark, Dask, DuckDB or pandas to read. Needs ``skjult[parquet]`` and ``-o``.

Rows are written in row groups of ``ROWS`` posts as they come, so memory stays bounded."""

from __future__ import annotations

from typing import IO, Any

from skjult.model import PostResult
from skjult.report.base import Formatter
from skjult.report.summary import Report
from skjult.tabular import row_of

ROWS = 10_000  # posts per row group


class ParquetFormatter(Formatter):
    binary = True  # writes bytes: only to a file (-o), never to a terminal or a text stream

    def __init__(self, out: IO[str], **settings: Any) -> None:
        super().__init__(out, **settings)
        import pyarrow.parquet  # noqa: F401 - fails here, before any post is checked

        self._file = out
        self._rows: list[dict[str, Any]] = []
        self._writer: Any = None

    def post(self, result: PostResult) -> None:
        self._rows.append(row_of(result))
        if len(self._rows) >= ROWS:
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
        self._writer = pq.ParquetWriter(self._file.buffer,  # type: ignore[attr-defined]
                                        schema(), compression="zstd")

    def _write(self) -> None:
        if not self._rows:
            return
        from skjult.arrow import batch_of

        if self._writer is None:
            self._open()
        self._writer.write_batch(batch_of(self._rows))
        self._rows = []
