"""The record layouts every source shares: JSON Lines, JSON arrays (read incrementally, also when
wrapped in an object), CSV as Excel writes it, and a bare caption. Each takes a ``Convert`` that
turns one record into a ``Post``, so a platform module only says where its fields are."""

from __future__ import annotations

import csv
import io
import json
import re
from collections import deque
from collections.abc import Callable, Iterator
from typing import Any

from skjult.model import REST_UNREAD, Opened, Post, Skip
from skjult.readers.base import (
    DATA_ERRORS,
    InputError,
    Item,
    ReadOptions,
    RecordError,
    skip_for,
    unflatten,
    without_lone_surrogates,
)
from skjult.readers.document import Document
from skjult.readers.jsonstream import (
    JsonReader,
    JsonStreamError,
    Path,
    Select,
    Unread,
    Want,
    path_text,
    walk,
)
from skjult.readers.limits import MAX_CAPTION_CHARS, MAX_DRAFT_CHARS, MAX_RECORD_LINES
from skjult.readers.records import post_from_mapping
from skjult.readers.textstream import CHUNK, LineTooLong, TextSource

Convert = Callable[[Any, ReadOptions], Post]
ARRAY_KEYS = ("posts", "data", "items", "results", "videos", "media")


def generic_post(record: Any, options: ReadOptions) -> Post:
    return post_from_mapping(record, mapping=options.mapping, defaults=options.defaults)


def finish(post: Post, name: str, position: str, options: ReadOptions) -> Post:
    """Where the post came from, and the user's defaults for what the record does not say.
    Raises ``RecordError`` for a caption longer than any platform allows."""
    if len(post.text) > MAX_CAPTION_CHARS:
        raise RecordError(f"a caption of {len(post.text):,} characters; no platform allows more "
                          f"than {MAX_CAPTION_CHARS:,}")
    for field in ("id", "creator", "platform", "created_at", "url"):
        value = getattr(post, field)
        if value is None or isinstance(value, str):
            continue
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise RecordError(f"{field} must be text, not {type(value).__name__}")
        setattr(post, field, str(value))  # a numeric id or creator, as the export wrote it
    post.source = f"{name}:{position}"
    post.file = name
    defaults = options.defaults
    if post.creator is None and defaults.get("creator"):
        post.creator = str(defaults["creator"])
    if post.platform is None and defaults.get("platform"):
        post.platform = str(defaults["platform"]).lower()
    for key in ("paid_partnership", "audience"):
        if key in defaults and key not in post.meta:
            post.meta[key] = defaults[key]
    return post


def convert_record(record: Any, name: str, position: str, convert: Convert,
                   options: ReadOptions) -> Item:
    try:
        return finish(convert(record, options), name, position, options)
    except DATA_ERRORS as exc:
        return skip_for(exc, name, position)


def read_jsonl(stream: TextSource, name: str, options: ReadOptions,
               convert: Convert = generic_post) -> Iterator[Item]:
    number = 0
    while True:
        number += 1
        try:
            line = stream.readline()
        except LineTooLong as exc:
            yield Skip(name, f"line {number}", str(exc))
            continue
        if not line:
            return
        if not line.strip():
            continue
        try:
            record = without_lone_surrogates(line, json.loads(line))
        except json.JSONDecodeError as exc:
            yield Skip(name, f"line {number}", f"invalid JSON: {exc.msg} (column {exc.colno})")
            continue
        except RecursionError as exc:
            yield skip_for(exc, name, f"line {number}")
            continue
        yield convert_record(record, name, f"line {number}", convert, options)


def wrapped_lists(keys: tuple[str, ...] = ARRAY_KEYS, any_key: bool = False) -> Select:
    """A top-level array, or the array under one of ``keys`` of a top-level object (any key's
    array with ``any_key``, as Meta's ``{"ig_reels_media": [...]}`` wrappers need). Other
    top-level values are handed over whole, so a lone record object still arrives."""

    def select(path: Path) -> Want:
        if not path:
            return Want.ITEMS
        if len(path) == 1:
            return Want.ITEMS if any_key or path[0] in keys else Want.VALUE
        return Want.NOTHING

    return select


def stream_items(stream: TextSource, name: str, select: Select
                 ) -> Iterator[tuple[Path, str, Any] | Skip]:
    """``(path, position, value)`` for each value ``select`` picks (a value too large or too deep
    to decode as a ``Skip``), then a ``Skip`` if the JSON breaks off: what follows cannot be read,
    and the skip says how much that is."""
    reader = JsonReader(stream)
    last: Path = ()
    try:
        for path, line, value in walk(reader, select):
            last = path
            position = f"{path_text(path)} (line {line})"
            if isinstance(value, Unread):
                yield Skip(name, position, value.reason)
            else:
                yield path, position, value
        if not reader.at_end():
            raise JsonStreamError("unexpected text after the JSON value", reader.line)
    except JsonStreamError as exc:
        where = f"after {path_text(last)}" if last else "start"
        lines = _lines_left(reader, stream)
        rest = f"lines {exc.line:,}–{exc.line + lines:,}" if lines else f"line {exc.line:,}"
        yield Skip(name, f"{where} (line {exc.line})",
                   f"{exc}; the rest of the file ({rest}) cannot be read, and any posts in it "
                   "are not checked", REST_UNREAD)


def _lines_left(reader: JsonReader, stream: TextSource) -> int:
    """Line breaks from the reader's position to the end of the file (read, not kept)."""
    count = reader.buf.count("\n", reader.pos)
    while chunk := stream.read(CHUNK):
        count += chunk.count("\n")
    return count


def read_json(stream: TextSource, name: str, options: ReadOptions, convert: Convert = generic_post,
              select: Select | None = None) -> Iterator[Item]:
    """A JSON array of records, read item by item; an object that wraps one (also read item by
    item); or one record object."""
    single: dict[str, Any] = {}
    found = 0
    for item in stream_items(stream, name, select or wrapped_lists()):
        if isinstance(item, Skip):
            yield item
            continue
        path, position, value = item
        if len(path) == 1 and isinstance(path[0], str):
            single[path[0]] = value  # a top-level field that is not a list of records
            continue
        found += 1
        yield convert_record(value, name, position, convert, options)
    if not found and single:
        yield convert_record(single, name, "line 1", convert, options)


class _RecordTooLong(Exception):
    """The record being parsed has run over ``MAX_RECORD_LINES`` lines."""


class _LineTooLong(Exception):
    """A line of the record being parsed is over the limit; it was read past, not kept."""


class _CsvLines:
    """The physical lines the csv module parses, counted, with the lines of the record being
    parsed kept so that they can be read again: when a quote never closes, the record swallows
    the lines after it; they are given back and only the line with the stray quote is lost."""

    def __init__(self, stream: TextSource):
        self._stream = stream
        self._again: deque[str] = deque()
        self.record: list[str] = []
        self.number = 0  # lines handed out so far
        self.ended = False

    def __iter__(self) -> _CsvLines:
        return self

    def __next__(self) -> str:
        if len(self.record) >= MAX_RECORD_LINES:
            raise _RecordTooLong
        if self._again:
            line = self._again.popleft()
        else:
            try:
                line = self._stream.readline()
            except LineTooLong as exc:
                self.number += 1
                raise _LineTooLong(str(exc)) from None
            if not line:
                self.ended = True
                raise StopIteration
        self.number += 1
        self.record.append(line)
        return line

    def start(self) -> int:
        """Begin a record; the number of its first line."""
        self.record = []
        return self.number + 1

    def give_back(self) -> None:
        """Read all but the first line of the current record again."""
        self._again.extendleft(reversed(self.record[1:]))
        self.number -= len(self.record) - 1


def _unclosed(lines: list[str], delimiter: str) -> bool:
    """Whether the record made of ``lines`` ends inside a quoted field."""
    try:
        for _ in csv.reader(io.StringIO("".join(lines)), delimiter=delimiter, strict=True):
            pass
    except csv.Error:
        return True
    return False


def csv_rows(stream: TextSource, name: str) -> Iterator[tuple[str, dict[str, str]] | Skip]:
    """``(position, row)`` per CSV record, header names cleaned; broken rows as ``Skip``."""
    delimiter = delimiter_of(stream.head)
    lines = _CsvLines(stream)
    reader = csv.reader(lines, delimiter=delimiter)
    try:
        header = next(reader, None)
    except (csv.Error, _RecordTooLong, _LineTooLong):
        header = None
    if not header or not any(h.strip().lstrip("\ufeff") for h in header):
        raise InputError(name, "no header row: expected column names on the first line of the CSV")
    fieldnames = [f.strip().lstrip("\ufeff") for f in header]
    replayed_to = 0  # lines up to here are being read a second time
    while True:
        first = lines.start()
        position = f"line {first}"
        try:
            row = next(reader)
        except StopIteration:
            return
        except (csv.Error, _RecordTooLong, _LineTooLong) as exc:
            reader = csv.reader(lines, delimiter=delimiter)  # a fresh parse from the next line
            if isinstance(exc, csv.Error):
                yield Skip(name, position, f"broken CSV: {exc}")
                continue
            if isinstance(exc, _LineTooLong):
                yield Skip(name, position, f"{exc}; the record is not read")
                continue
            if first <= replayed_to:  # a second stray quote inside lines read again: skip them
                yield Skip(name, position, f"a quote opened here is not closed within "
                           f"{MAX_RECORD_LINES:,} lines; lines {first}–{lines.number} skipped")
                continue
            yield Skip(name, position, f"a quote opened here is not closed within "
                       f"{MAX_RECORD_LINES:,} lines; the lines after it are read again")
            lines.give_back()
            replayed_to = lines.number + len(lines.record) - 1
            continue
        if lines.ended and len(lines.record) > 1 and _unclosed(lines.record, delimiter):
            yield Skip(name, position, "a quote opened here is never closed; the lines after it "
                       "are read again")
            lines.give_back()
            lines.ended = False
            reader = csv.reader(lines, delimiter=delimiter)
            continue
        if not row:
            continue  # a blank line
        if len(row) > len(fieldnames):
            yield Skip(name, position, f"{len(row)} fields where the header has {len(fieldnames)}")
            continue
        values: list[str | None] = [*row, *[None] * (len(fieldnames) - len(row))]
        yield position, dict(zip(fieldnames, values, strict=True))  # type: ignore[arg-type]


def read_csv(stream: TextSource, name: str, options: ReadOptions,
             convert: Convert = generic_post) -> Iterator[Item]:
    for item in csv_rows(stream, name):
        if isinstance(item, Skip):
            yield item
        else:
            yield convert_record(item[1], name, item[0], convert, options)


def first_line(head: str) -> str:
    return _LINE_END.split(head.lstrip("\ufeff"), maxsplit=1)[0]


_LINE_END = re.compile(r"\r\n|\r|\n")


def delimiter_of(head: str) -> str:
    """Comma, semicolon (Danish Excel) or tab: whichever the header line uses most."""
    first = first_line(head)
    return max((";", ",", "\t"), key=first.count)
    return max((";", ",", "\t"), key=first.count)


def header_of(head: str) -> list[str]:
    """The header names of a CSV that starts with ``head`` (for detection)."""
    try:
        return [h.strip() for h in next(csv.reader([first_line(head)], delimiter=delimiter_of(head)))]
    except (csv.Error, StopIteration):
        return []


def csv_header(stream: TextSource) -> list[str]:
    return header_of(stream.head)


def read_text(stream: TextSource, name: str, options: ReadOptions) -> Iterator[Item]:
    """The whole input is one caption (a draft file, or a caption piped into ``skjult check -``)."""
    text = stream.read_all(MAX_DRAFT_CHARS)
    if text is None:
        raise InputError(name, f"longer than {MAX_DRAFT_CHARS:,} characters: not one caption "
                         "(for many posts use JSON Lines or CSV)")
    if not text.strip():
        raise InputError(name, "empty input: expected a caption")
    yield convert_record({"caption": text.rstrip("\n")}, name, "line 1", generic_post, options)


def layout_of(doc: Document, stream: TextSource) -> str:
    """``jsonl``, ``json`` or ``csv``: by extension, else by the first characters."""
    by_suffix = {".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "json", ".csv": "csv",
                 ".tsv": "csv"}.get(doc.suffix)
    if by_suffix:
        return by_suffix
    head = stream.head.lstrip("\ufeff \t\r\n")
    if head.startswith("["):
        return "json"
    if head.startswith("{"):
        try:
            json.loads(head.split("\n", 1)[0])
        except json.JSONDecodeError:
            return "json"
        return "jsonl"
    return "csv"


def read_records(doc: Document, options: ReadOptions, fmt: str, convert: Convert,
                 expected: str, nested_csv: bool = True) -> Iterator[Item]:
    """A scraper's or API's records, as JSON, JSON Lines or flattened CSV (``a/b`` or ``a.b``
    columns become nested objects before ``convert`` sees them)."""
    yield Opened(doc.name, fmt)
    with doc.text(expected) as stream:
        layout = layout_of(doc, stream)
        if layout == "csv":
            yield from read_csv(stream, doc.name, options,
                                (lambda row, opts: convert(unflatten(row), opts)) if nested_csv
                                else convert)
        elif layout == "jsonl":
            yield from read_jsonl(stream, doc.name, options, convert)
        else:
            yield from read_json(stream, doc.name, options, convert)
