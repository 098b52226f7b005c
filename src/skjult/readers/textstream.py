"""Bytes to text for every reader: encoding detection and a stream whose start can be looked at."""

from __future__ import annotations

import codecs
import io
from collections.abc import Iterator
from typing import IO

CHUNK = 1 << 16


class TextSource:
    """A text stream whose first chunk can be looked at before reading it for real."""

    def __init__(self, raw: IO[str]):
        self._raw = raw
        self._head = raw.read(CHUNK)

    def close(self) -> None:
        self._raw.close()

    def __enter__(self) -> TextSource:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def first_char(self) -> str:
        stripped = self._head.lstrip("\ufeff \t\r\n")
        return stripped[:1]

    @property
    def head(self) -> str:
        return self._head

    def read(self, size: int | None = -1) -> str:
        if size is None or size < 0:
            out, self._head = self._head + self._raw.read(), ""
            return out
        if self._head:
            out, self._head = self._head[:size], self._head[size:]
            return out
        return self._raw.read(size)

    def readline(self, size: int | None = -1) -> str:
        if self._head:
            cut = self._head.find("\n")
            if cut >= 0:
                out, self._head = self._head[: cut + 1], self._head[cut + 1:]
                return out
            out, self._head = self._head, ""
            return out + self._raw.readline()
        return self._raw.readline()

    def __iter__(self) -> Iterator[str]:
        while True:
            line = self.readline()
            if not line:
                return
            yield line


def is_binary(sample: bytes) -> bool:
    return b"\x00" in sample[:8192] and not sample.startswith((codecs.BOM_UTF16_LE,
                                                                codecs.BOM_UTF16_BE))


def decode_stream(raw: IO[bytes], sample: bytes) -> TextSource:
    """UTF-8 (with or without BOM); Danish Excel's cp1252 when the sample is not UTF-8."""
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding = "utf-16"
    else:
        encoding = "utf-8-sig"
        try:
            # final=False: a character cut off at the end of the sample is not an error
            codecs.getincrementaldecoder("utf-8")().decode(sample, final=False)
        except UnicodeDecodeError:
            encoding = "cp1252"
    return TextSource(io.TextIOWrapper(raw, encoding=encoding, newline=""))
