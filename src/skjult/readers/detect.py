"""Which reader a file needs: by ``--input-format``, by extension, or by looking at its start."""

from __future__ import annotations

import io
import json
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, BinaryIO

from skjult.readers.generic import (
    CHUNK,
    InputError,
    Item,
    ReadOptions,
    TextSource,
    decode_stream,
    read_csv,
    read_json,
    read_jsonl,
    read_text,
)

Reader = Callable[[TextSource, str, ReadOptions], Iterator[Item]]

FORMATS: dict[str, tuple[Reader, str]] = {
    "jsonl": (read_jsonl, "JSON Lines: one post object per line"),
    "json": (read_json, "a JSON array of post objects, or one object (or one wrapping a list)"),
    "csv": (read_csv, "CSV with a header row; comma, semicolon or tab; UTF-8 (BOM or not) or cp1252"),
    "text": (read_text, "the whole input is one caption"),
}
EXTENSIONS = {
    ".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "json", ".csv": "csv", ".tsv": "csv",
    ".txt": "text", ".md": "text",
}
STDIN = "-"


def _sniff(head: str) -> str:
    """Guess from the first characters: JSON array, JSON Lines / one object, CSV or text."""
    stripped = head.lstrip("\ufeff \t\r\n")
    if stripped.startswith("["):
        return "json"
    if stripped.startswith("{"):
        first = stripped.split("\n", 1)[0]
        try:
            json.loads(first)
        except json.JSONDecodeError:
            return "json"  # a pretty-printed object
        return "jsonl"
    return "text"


class _Unbuffered(io.RawIOBase):
    """Lets a ``BufferedReader`` (which can peek) sit on any binary stream, e.g. a test's stdin."""

    def __init__(self, inner: BinaryIO):
        self._inner = inner

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self._inner.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


def _open(path: str) -> tuple[io.BufferedReader, str]:
    if path == STDIN:
        return io.BufferedReader(_Unbuffered(sys.stdin.buffer), CHUNK), "<stdin>"
    p = Path(path)
    if p.is_dir():
        raise InputError(path, "is a folder: expected a JSON Lines, JSON or CSV file")
    try:
        return io.BufferedReader(io.FileIO(p, "r"), CHUNK), path
    except FileNotFoundError:
        raise InputError(path, "no such file") from None
    except OSError as exc:
        raise InputError(path, f"cannot be read: {exc.strerror or exc}") from None


def read_source(path: str, options: ReadOptions | None = None,
                input_format: str | None = None) -> Iterator[Item]:
    """Posts and skips from one file (or ``-`` for standard input), streamed.

    Raises ``InputError`` when the file as a whole cannot be read.
    """
    options = options or ReadOptions()
    raw, name = _open(path)
    try:
        sample = raw.peek(CHUNK)[:CHUNK]
        if not sample.strip():
            raise InputError(name, "empty file: expected JSON Lines, JSON or CSV"
                             if path != STDIN else "empty input: expected a caption or JSON")
        stream = decode_stream(raw, name, sample)
        fmt = input_format
        if fmt is None and path != STDIN:
            fmt = EXTENSIONS.get(Path(path).suffix.lower())
        if fmt is None:
            fmt = _sniff(stream.head)
            if path != STDIN and fmt == "text":
                raise InputError(name, "unknown format: expected JSON Lines, JSON or CSV "
                                 "(use --input-format to say which)")
        if fmt not in FORMATS:
            raise InputError(name, f"unknown input format {fmt!r}")
        reader = FORMATS[fmt][0]
        try:
            yield from reader(stream, name, options)
        except UnicodeDecodeError as exc:
            raise InputError(name, f"not valid text in the detected encoding ({exc.reason})") from None
    finally:
        if path != STDIN:
            raw.close()
