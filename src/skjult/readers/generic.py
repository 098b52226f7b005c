"""Generic exports: JSON Lines, JSON arrays (read incrementally), CSV as Excel writes it, and a
bare caption. Each reader yields ``Post`` or ``Skip`` items, one at a time."""

from __future__ import annotations

import codecs
import csv
import io
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import IO, Any

from skjult.model import Post, Skip
from skjult.readers.records import RecordError, post_from_mapping

CHUNK = 1 << 16
ARRAY_KEYS = ("posts", "data", "items", "results", "videos", "media")

Item = Post | Skip


class InputError(Exception):
    """A whole file cannot be read; the message names the file and what was expected."""

    def __init__(self, file: str, message: str):
        self.file = file
        self.message = message
        super().__init__(f"{file}: {message}")


@dataclass(frozen=True)
class ReadOptions:
    mapping: Mapping[str, str] = field(default_factory=dict)  # our field -> their column
    defaults: Mapping[str, Any] = field(default_factory=dict)  # for records that lack a field


def _post(record: Any, name: str, position: str, options: ReadOptions) -> Item:
    try:
        return post_from_mapping(record, position=f"{name}:{position}", mapping=options.mapping,
                                 defaults=options.defaults)
    except RecordError as exc:
        return Skip(name, position, str(exc))


def read_jsonl(stream: TextSource, name: str, options: ReadOptions) -> Iterator[Item]:
    for number, line in enumerate(stream, start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            yield Skip(name, f"line {number}", f"invalid JSON: {exc.msg} (column {exc.colno})")
            continue
        yield _post(record, name, f"line {number}", options)


def _records_in(value: Any) -> list[Any] | None:
    """The list of posts inside a top-level JSON object, if it wraps one."""
    if isinstance(value, Mapping):
        for key in ARRAY_KEYS:
            if isinstance(value.get(key), list):
                return list(value[key])
    return None


def read_json(stream: TextSource, name: str, options: ReadOptions) -> Iterator[Item]:
    """A JSON array of posts is read item by item; an object is one post or wraps a list."""
    head = stream.first_char()
    if head == "[":
        yield from _read_array(stream, name, options)
        return
    text = stream.read()
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(name, f"invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}"
                         ) from None
    records = _records_in(value)
    if records is None:
        yield _post(value, name, "line 1", options)
        return
    for i, record in enumerate(records):
        yield _post(record, name, f"item {i}", options)


class TextSource:
    """A text stream whose first chunk can be looked at before reading it for real."""

    def __init__(self, raw: IO[str]):
        self._raw = raw
        self._head = raw.read(CHUNK)

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


def _read_array(stream: TextSource, name: str, options: ReadOptions) -> Iterator[Item]:
    decoder = json.JSONDecoder()
    buf = stream.read(CHUNK)
    pos = buf.index("[") + 1
    line = 1 + buf.count("\n", 0, pos)
    eof = False
    index = 0

    def fill() -> bool:
        nonlocal buf, pos, eof
        if eof:
            return False
        more = stream.read(CHUNK)
        if not more:
            eof = True
            return False
        buf = buf[pos:] + more
        pos = 0
        return True

    def skip_ws() -> str:
        nonlocal pos, line
        while True:
            while pos < len(buf) and buf[pos] in " \t\r\n":
                if buf[pos] == "\n":
                    line += 1
                pos += 1
            if pos < len(buf):
                return buf[pos]
            if not fill():
                return ""

    expect_item = True
    while True:
        ch = skip_ws()
        if ch == "":
            yield Skip(name, f"item {index} (line {line})", "file ends inside the JSON array "
                       "(truncated?)")
            return
        if ch == "]" :
            return
        if not expect_item:
            if ch != ",":
                yield Skip(name, f"item {index} (line {line})", f"expected ',' or ']', found {ch!r}; "
                           "the rest of the file cannot be read")
                return
            pos += 1
            expect_item = True
            continue
        while True:
            try:
                record, end = decoder.raw_decode(buf, pos)
                break
            except json.JSONDecodeError as exc:
                if not fill():
                    yield Skip(name, f"item {index} (line {line})",
                               f"invalid JSON: {exc.msg}; the rest of the file cannot be read")
                    return
        start_line = line
        line += buf.count("\n", pos, end)
        pos = end
        yield _post(record, name, f"item {index} (line {start_line})", options)
        index += 1
        expect_item = False


def read_csv(stream: TextSource, name: str, options: ReadOptions) -> Iterator[Item]:
    first_line = stream.head.lstrip("\ufeff").split("\n", 1)[0]
    delimiter = max((";", ",", "\t"), key=first_line.count)
    reader = csv.DictReader(stream, delimiter=delimiter)
    if not reader.fieldnames:
        raise InputError(name, "empty CSV file: expected a header row with a caption column")
    fieldnames = [f.strip().lstrip("\ufeff") for f in reader.fieldnames]
    reader.fieldnames = fieldnames
    last = reader.line_num
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield Skip(name, f"line {last + 1}", f"broken CSV: {exc}")
            last = reader.line_num
            continue
        position = f"line {last + 1}"
        last = reader.line_num
        if None in row:
            yield Skip(name, position, f"{len(fieldnames) + len(row[None])} fields where the header "
                       f"has {len(fieldnames)}")
            continue
        yield _post(row, name, position, options)


def read_text(stream: TextSource, name: str, options: ReadOptions) -> Iterator[Item]:
    """The whole input is one caption (a draft file, or a caption piped into ``skjult check -``)."""
    text = stream.read()
    if not text.strip():
        raise InputError(name, "empty input: expected a caption")
    yield _post({"caption": text.rstrip("\n")}, name, "line 1", options)


def decode_stream(raw: IO[bytes], name: str, sample: bytes) -> TextSource:
    """UTF-8 (with or without BOM); Danish Excel's cp1252 when the sample is not UTF-8."""
    if b"\x00" in sample[:8192] and not sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise InputError(name, "binary file: expected JSON Lines, JSON or CSV text")
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
