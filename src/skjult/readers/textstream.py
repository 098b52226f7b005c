"""Bytes to text for every reader: encoding detection and a stream whose start can be looked at.

Text is decoded with replacement: a file that is valid UTF-8 for 64 KB and then holds a stray
byte (a cp1252 "æ" pasted into a UTF-8 export) is read to the end, and the reader says how many
bytes were replaced with "�" instead of losing the rest of the file."""

from __future__ import annotations

import codecs
import io
from collections.abc import Iterator
from typing import IO, cast

from skjult.i18n import Text
from skjult.readers.limits import MAX_LINE_CHARS

CHUNK = 1 << 16
REPLACEMENT = "\ufffd"


class LineTooLong(ValueError):
    """A line longer than the limit; it has been read past and dropped."""

    def __init__(self, length: int):
        super().__init__(Text("a line of more than {limit:n} characters (not read)",
                              limit=MAX_LINE_CHARS))
        self.length = length


class _CountingReader(io.BufferedIOBase):
    """Counts the replacement characters already present in the bytes, so that the ones the
    decoder adds for invalid bytes can be told apart from those the file itself contains."""

    def __init__(self, inner: IO[bytes], marker: bytes):
        self._inner = inner
        self._marker = marker
        self._tail = b""
        self.present = 0

    def readable(self) -> bool:
        return True

    def _count(self, data: bytes) -> bytes:
        if data and self._marker:
            self.present += data.count(self._marker)
            # a marker split between two reads
            edge = self._tail + data[: len(self._marker) - 1]
            self.present += edge.count(self._marker)
            self._tail = data[-(len(self._marker) - 1):]
        return data

    def read(self, size: int | None = -1) -> bytes:
        return self._count(self._inner.read(-1 if size is None else size))

    def read1(self, size: int = -1) -> bytes:
        read1 = getattr(self._inner, "read1", self._inner.read)
        return self._count(read1(size))

    def close(self) -> None:
        self._inner.close()
        super().close()


class TextSource:
    """A text stream whose first chunk can be looked at before reading it for real.

    Lines end at "\\n", "\\r\\n" or a lone "\\r" (Excel's "CSV (Macintosh)")."""

    def __init__(self, raw: IO[str], counter: _CountingReader | None = None):
        self._raw = raw
        self._counter = counter
        self._seen = 0  # replacement characters handed out
        self._head = raw.read(CHUNK)

    def close(self) -> None:
        self._raw.close()

    def __enter__(self) -> TextSource:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def replaced(self) -> int:
        """Invalid bytes the decoder replaced with "�" so far."""
        present = self._counter.present if self._counter is not None else 0
        return max(0, self._seen - present)

    def _out(self, text: str) -> str:
        if REPLACEMENT in text:
            self._seen += text.count(REPLACEMENT)
        return text

    @property
    def head(self) -> str:
        return self._head

    def read(self, size: int | None = -1) -> str:
        if size is None or size < 0:
            out, self._head = self._head + self._raw.read(), ""
            return self._out(out)
        if self._head:  # the rest of the head, then more from the stream: never a short read
            out, self._head = self._head[:size], self._head[size:]
            if len(out) < size:
                out += self._raw.read(size - len(out))
            return self._out(out)
        return self._out(self._raw.read(size))

    def _line_from_head(self) -> str:
        head = self._head
        cr, lf = head.find("\r"), head.find("\n")
        if cr >= 0 and (lf < 0 or cr < lf):
            if cr + 1 < len(head):
                cut = cr + 2 if head[cr + 1] == "\n" else cr + 1
            else:  # "\r" ends the head: is the "\n" of "\r\n" the next character?
                after = self._raw.read(1)
                head, cut = head + after, cr + (2 if after == "\n" else 1)
            out, self._head = head[:cut], head[cut:]
            return out
        if lf >= 0:
            out, self._head = head[: lf + 1], head[lf + 1:]
            return out
        out, self._head = head, ""
        return out + self._raw.readline(max(1, MAX_LINE_CHARS + 1 - len(out)))

    def readline(self, size: int | None = -1) -> str:
        """The next line, with its ending; ``LineTooLong`` (after reading past it) when it is
        longer than ``MAX_LINE_CHARS``, so that no line is ever held whole beyond the limit."""
        line = self._line_from_head() if self._head else self._raw.readline(MAX_LINE_CHARS + 1)
        if len(line) > MAX_LINE_CHARS and not line.endswith(("\n", "\r")):
            length = len(line)
            while True:  # drop the rest of the line without keeping it
                more = self._raw.readline(CHUNK)
                length += len(more)
                if not more or more.endswith(("\n", "\r")):
                    break
            raise LineTooLong(length)
        return self._out(line)

    def __iter__(self) -> Iterator[str]:
        while True:
            line = self.readline()
            if not line:
                return
            yield line

    def read_all(self, limit: int) -> str | None:
        """The whole rest of the text, or None when it is longer than ``limit`` characters."""
        text = self.read(limit + 1)
        if len(text) > limit:
            return None
        return text


def is_binary(sample: bytes) -> bool:
    return b"\x00" in sample[:8192] and not sample.startswith((codecs.BOM_UTF16_LE,
                                                                codecs.BOM_UTF16_BE,
                                                                codecs.BOM_UTF32_BE))


def decode_stream(raw: IO[bytes], sample: bytes) -> TextSource:
    """UTF-8 (with or without BOM); Danish Excel's cp1252 when the sample is not UTF-8."""
    if sample.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):  # before UTF-16: same start
        encoding = "utf-32"
        marker = REPLACEMENT.encode("utf-32-le" if sample.startswith(codecs.BOM_UTF32_LE)
                                    else "utf-32-be")
    elif sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding = "utf-16"
        marker = REPLACEMENT.encode("utf-16-le" if sample.startswith(codecs.BOM_UTF16_LE)
                                    else "utf-16-be")
    else:
        encoding, marker = "utf-8-sig", REPLACEMENT.encode("utf-8")
        try:
            # final=False: a character cut off at the end of the sample is not an error
            codecs.getincrementaldecoder("utf-8")().decode(sample, final=False)
        except UnicodeDecodeError:
            # cp1252 cannot hold "�": every one in the text is a replacement
            encoding, marker = "cp1252", b""
    counter = _CountingReader(raw, marker)
    text = io.TextIOWrapper(cast(IO[bytes], counter), encoding=encoding, errors="replace",
                            newline="")
    return TextSource(text, counter)
