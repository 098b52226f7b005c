"""One file to read, wherever it lives: on disk, in a zip, compressed (``.gz``, ``.xz``) or on
standard input. Readers that need two passes (an author stored after the posts) open it twice."""

from __future__ import annotations

import codecs
import gzip
import io
import lzma
import sys
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import IO, cast

from skjult.i18n import Text
from skjult.readers.errors import InputError
from skjult.readers.limits import MAX_EXPANDED_BYTES, MAX_EXPANSION_RATIO
from skjult.readers.textstream import CHUNK, TextSource, decode_stream, is_binary

STDIN = "-"
EMPTY_STDIN = Text("empty input: expected a caption or JSON")


@dataclass
class Document:
    name: str  # as shown to the user: a path, or "archive.zip:member"
    path: str  # a path whose parts hint at what the file is (folder names, file name)
    opener: Callable[[], IO[bytes]]
    reopenable: bool = True
    _opened: bool = False
    _pending: io.BufferedReader | None = None  # opened to peek, handed to the next reader
    _sources: list[TextSource] = field(default_factory=list)

    @property
    def replaced(self) -> int:
        """Invalid bytes replaced with "�" in every read of this file so far (the most of any
        one read: a file read twice counts its bytes once)."""
        return max((source.replaced for source in self._sources), default=0)

    @property
    def suffix(self) -> str:
        """The extension that says what is inside (``.json`` for ``x.json.xz``)."""
        pure = PurePosixPath(self.path.lower())
        if pure.suffix in (".gz", ".xz") and pure.suffixes[:-1]:
            return pure.suffixes[-2]
        return pure.suffix

    @property
    def basename(self) -> str:
        return PurePosixPath(self.path).name

    def head(self) -> str:
        """The first bytes as text (for detection); the file is not consumed."""
        if self._pending is None:
            self._pending = self.binary()
        try:
            sample = self._pending.peek(CHUNK)[:CHUNK]
        except (lzma.LZMAError, EOFError, OSError, zipfile.BadZipFile, zlib.error) as exc:
            self.close()
            raise InputError(self.name, Text("cannot be decompressed: {error}", error=str(exc))) \
                from None
        if not sample.removeprefix(codecs.BOM_UTF8).strip():
            self.close()
            raise InputError(self.name, Text("empty file: expected a platform export, JSON Lines, "
                                             "JSON or CSV") if self.reopenable else EMPTY_STDIN)
        if is_binary(sample):
            self.close()
            raise InputError(self.name, Text("binary file: expected a platform export, JSON Lines, "
                                             "JSON or CSV text"))
        return sample.decode("utf-8", errors="ignore").lstrip("\ufeff")

    def start_bytes(self, size: int) -> bytes:
        """The first ``size`` bytes, whatever they are (a binary format's magic); the file is
        not consumed."""
        if self._pending is None:
            self._pending = self.binary()
        try:
            return self._pending.peek(size)[:size]
        except (lzma.LZMAError, EOFError, OSError, zipfile.BadZipFile, zlib.error) as exc:
            self.close()
            raise InputError(self.name, Text("cannot be decompressed: {error}", error=str(exc))) \
                from None

    def close(self) -> None:
        """Release a stream opened only to look at the start."""
        if self._pending is not None:
            if self.reopenable:
                self._pending.close()
            self._pending = None

    def binary(self) -> io.BufferedReader:
        if self._pending is not None:
            pending, self._pending = self._pending, None
            return pending
        if self._opened and not self.reopenable:
            raise InputError(self.name, Text("standard input can be read only once; save it to a "
                                             "file"))
        self._opened = True
        raw: IO[bytes] = self.opener()
        lower = self.path.lower()
        compressed = raw
        try:
            # closed with the stream the reader gets
            if lower.endswith(".xz"):
                raw = lzma.LZMAFile(raw)  # noqa: SIM115
            elif lower.endswith(".gz"):
                raw = cast(IO[bytes], gzip.GzipFile(fileobj=raw))
        except (lzma.LZMAError, OSError) as exc:
            raw.close()
            raise InputError(self.name, Text("cannot be decompressed: {error}", error=str(exc))) \
                from None
        if raw is not compressed:
            return io.BufferedReader(_Raw(raw, self.name, compressed), CHUNK)
        return raw if isinstance(raw, io.BufferedReader) else io.BufferedReader(_Raw(raw), CHUNK)

    def whole(self, expected: str, limit: int) -> str:
        """The whole file as text; an ``InputError`` when it is longer than ``limit`` characters
        (a small file that is large is not what it claims to be, and is not held whole)."""
        with self.text(expected) as stream:
            text = stream.read_all(limit)
        if text is None:
            raise InputError(self.name, Text("longer than {limit:n} characters: not {expected}",
                                             limit=limit, expected=expected))
        return text

    def text(self, expected: str = Text("JSON Lines, JSON or CSV")) -> TextSource:
        """The file as text, encoding detected; an empty or binary file is an ``InputError``."""
        raw = self.binary()
        try:
            sample = raw.peek(CHUNK)[:CHUNK]
        except (lzma.LZMAError, EOFError, OSError, zipfile.BadZipFile, zlib.error) as exc:
            raw.close()
            raise InputError(self.name, Text("cannot be decompressed: {error}", error=str(exc))) \
                from None
        if not sample.removeprefix(codecs.BOM_UTF8).strip():
            raw.close()
            raise InputError(self.name, Text("empty file: expected {expected}", expected=expected)
                             if self.reopenable else EMPTY_STDIN)
        if is_binary(sample):
            raw.close()
            raise InputError(self.name, Text("binary file: expected {expected} text",
                                             expected=expected))
        source = decode_stream(raw, sample)
        self._sources.append(source)
        return source


class _Raw(io.RawIOBase):
    """Lets a ``BufferedReader`` (which can peek) sit on any binary stream. Over a decompressing
    stream it watches the expansion: past ``MAX_EXPANDED_BYTES`` at more than
    ``MAX_EXPANSION_RATIO`` times the compressed bytes read, it is a bomb and reading stops."""

    def __init__(self, inner: IO[bytes], name: str = "", compressed: IO[bytes] | None = None):
        self._inner = inner
        self._name = name
        self._compressed = compressed
        self._out = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        data = self._inner.read(len(buffer))
        buffer[: len(data)] = data
        self._out += len(data)
        if self._compressed is not None and self._out > MAX_EXPANDED_BYTES:
            taken = self._compressed.tell()
            if self._out > MAX_EXPANSION_RATIO * max(1, taken):
                raise InputError(self._name, Text(
                    "expands more than {ratio:n}-fold (to {size:n} bytes from {packed:n}): a "
                    "decompression bomb, not an export; not read further",
                    ratio=MAX_EXPANSION_RATIO, size=self._out, packed=taken))
        return len(data)

    def close(self) -> None:
        self._inner.close()
        super().close()


def stdin_document() -> Document:
    # our own buffer, so that a peek sees a full chunk even from a slow pipe
    return Document("<stdin>", STDIN, lambda: io.BufferedReader(_Raw(sys.stdin.buffer), CHUNK),
                    reopenable=False)


def file_document(path: str) -> Document:
    def opener() -> IO[bytes]:
        try:
            return open(path, "rb")
        except FileNotFoundError:
            raise InputError(path, Text("no such file")) from None
        except OSError as exc:
            raise InputError(path, Text("cannot be read: {error}", error=exc.strerror or str(exc))) \
                from None

    return Document(path, path, opener)
