"""Rendered pieces of a report kept on disk, grouped by creator, until the end of the run.

Reports group posts by creator but posts arrive in input order; holding them in memory would
grow with the run. Pieces are written to a temporary file as they come and read back per group.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator


class Spool:
    def __init__(self) -> None:
        self._file = tempfile.TemporaryFile("w+b")  # noqa: SIM115 - closed by close()
        self._pieces: dict[str, list[tuple[int, int]]] = {}  # group -> (offset, length)

    def add(self, group: str, text: str) -> None:
        # "surrogatepass": a lone surrogate from the input is kept, not a reason to fail; the
        # formatter's output replaces it when the piece is finally written.
        data = text.encode("utf-8", "surrogatepass")
        self._file.seek(0, 2)
        self._pieces.setdefault(group, []).append((self._file.tell(), len(data)))
        self._file.write(data)

    def count(self, group: str) -> int:
        return len(self._pieces.get(group, ()))

    def groups(self) -> list[str]:
        return sorted(self._pieces)

    def pieces(self, group: str) -> Iterator[str]:
        for offset, length in self._pieces.get(group, ()):
            self._file.seek(offset)
            yield self._file.read(length).decode("utf-8", "surrogatepass")

    def close(self) -> None:
        self._file.close()
