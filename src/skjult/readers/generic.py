"""The record layouts every source shares: JSON Lines, JSON arrays (read incrementally, also when
wrapped in an object), CSV as Excel writes it, and a bare caption. Each takes a ``Convert`` that
turns one record into a ``Post``, so a platform module only says where its fields are."""

from __future__ import annotations

import csv
import dataclasses
import itertools
import json
import re
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

from skjult.i18n import Text
from skjult.items import REST_UNREAD, Notice, Opened, Skip
from skjult.model import Post
from skjult.readers.base import DATA_ERRORS, Item, ReadOptions, skip_for, unflatten, without_lone_surrogates
from skjult.readers.document import Document
from skjult.readers.errors import InputError, RecordError
from skjult.readers.format import FileReader, InputFormat
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
from skjult.readers.records import (
    SAMPLE_RECORDS,
    Columns,
    has_field,
    key_index,
    post_from_mapping,
    unused_names,
)
from skjult.readers.textstream import CHUNK, LineTooLong, TextSource

Convert = Callable[[Any, ReadOptions], Post]
ARRAY_KEYS = ("posts", "data", "items", "results", "videos", "media")


def generic_post(record: Any, options: ReadOptions) -> Post:
    return post_from_mapping(record, mapping=options.mapping, defaults=options.defaults)


def finish(post: Post, name: str, position: str, options: ReadOptions) -> Post:
    """Where the post came from, and the user's defaults for what the record does not say.
    Raises ``RecordError`` for a caption longer than any platform allows."""
    if len(post.text) > MAX_CAPTION_CHARS:
        raise RecordError(Text("a caption of {length:n} characters; no platform allows more than "
                               "{limit:n}", length=len(post.text), limit=MAX_CAPTION_CHARS))
    for field in ("id", "creator", "platform", "created_at", "url"):
        value = getattr(post, field)
        if value is None or isinstance(value, str):
            continue
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise RecordError(Text("{what} must be text, not {type}", what=field,
                                   type=type(value).__name__))
        setattr(post, field, str(value))  # a numeric id or creator, as the export wrote it
    post.source = Text("{file}:{position}", file=name, position=position)
    post.file = name
    defaults = options.defaults
    if post.creator is None and defaults.get("creator"):
        post.creator = str(defaults["creator"])
    if post.platform is None and defaults.get("platform"):
        post.platform = str(defaults["platform"]).lower()
    for key in ("paid_partnership", "audience"):
        if key in defaults and getattr(post.meta, key) is None:
            setattr(post.meta, key, defaults[key])
    return post


def convert_record(record: Any, name: str, position: str, convert: Convert,
                   options: ReadOptions) -> Item:
    try:
        return finish(convert(record, options), name, position, options)
    except DATA_ERRORS as exc:
        return skip_for(exc, name, position)


def read_jsonl(stream: TextSource, name: str, options: ReadOptions,
               convert: Convert = generic_post) -> Iterator[Item]:
    """One record per line. Generic records (``convert`` left as it is) are watched: a file in
    which no record has a caption field is not read (see ``_Watch``)."""
    if convert is not generic_post:
        return _jsonl_items(stream, name, options, convert)
    watch = _Watch(name, options)
    return watch.gate(_jsonl_items(stream, name, options, watch.convert))


def _jsonl_items(stream: TextSource, name: str, options: ReadOptions,
                 convert: Convert) -> Iterator[Item]:
    number = 0
    while True:
        number += 1
        try:
            line = stream.readline()
        except LineTooLong as exc:
            yield Skip(name, Text("line {number}", number=number), str(exc))
            continue
        if not line:
            return
        if not line.strip():
            continue
        position = Text("line {number}", number=number)
        try:
            record = without_lone_surrogates(line, json.loads(line))
        except json.JSONDecodeError as exc:
            yield Skip(name, position, Text("invalid JSON: {error} (column {column})", error=exc.msg,
                                            column=exc.colno))
            continue
        except RecursionError as exc:
            yield skip_for(exc, name, position)
            continue
        yield convert_record(record, name, position, convert, options)


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
            position = Text("{where} (line {line})", where=path_text(path), line=line)
            if isinstance(value, Unread):
                yield Skip(name, position, value.reason)
            else:
                yield path, position, value
        if not reader.at_end():
            raise JsonStreamError(Text("unexpected text after the JSON value"), reader.line)
    except JsonStreamError as exc:
        where = Text("after {path}", path=path_text(last)) if last else Text("start")
        lines = _lines_left(reader, stream)
        rest = Text("lines {first:n}–{last:n}", first=exc.line, last=exc.line + lines) if lines \
            else Text("line {number:n}", number=exc.line)
        yield Skip(name, Text("{where} (line {line})", where=where, line=exc.line),
                   Text("{problem}; the rest of the file ({rest}) cannot be read, and any posts in "
                        "it are not checked", problem=str(exc), rest=rest), REST_UNREAD)


def _lines_left(reader: JsonReader, stream: TextSource) -> int:
    """Line breaks from the reader's position to the end of the file (read, not kept)."""
    count = reader.buf.count("\n", reader.pos)
    while chunk := stream.read(CHUNK):
        count += chunk.count("\n")
    return count


def read_json(stream: TextSource, name: str, options: ReadOptions, convert: Convert = generic_post,
              select: Select | None = None) -> Iterator[Item]:
    """A JSON array of records, read item by item; an object that wraps one (also read item by
    item); or one record object. Generic records are watched as in ``read_jsonl``."""
    if convert is not generic_post:
        return _json_items(stream, name, options, convert, select)
    watch = _Watch(name, options)
    return watch.gate(_json_items(stream, name, options, watch.convert, select))


def _json_items(stream: TextSource, name: str, options: ReadOptions, convert: Convert,
                select: Select | None) -> Iterator[Item]:
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
        yield convert_record(single, name, Text("line {number}", number=1), convert, options)


# Skips held back while no record of a file has shown a caption field; past this many they are
# let through (counted as usual), and the file still fails at its end if none ever does.
HOLD_SKIPS = 10_000


def hold_skips(items: Iterable[Item], decided: Callable[[Item], bool],
               held: list[Skip]) -> Iterator[Item]:
    """The items, with skips held back in ``held`` until ``decided`` is true at an item (a post
    showed the file can be read: they come out before it) — so that a file that turns out
    unreadable as a whole is one error, not thousands of skipped records too. Past
    ``HOLD_SKIPS`` they all come out (memory stays bounded) and later ones pass. Skips still
    held at the end are left in ``held``: the caller drops or yields them."""
    passing = settled = False
    for item in items:
        settled = settled or decided(item)
        if isinstance(item, Skip) and not settled and not passing:
            held.append(item)
            if len(held) >= HOLD_SKIPS:
                passing = True
                yield from held
                held.clear()
            continue
        if held and settled:
            yield from held
            held.clear()
        yield item
# Sets of keys (and keys) of a file's generic records looked at for the keys no field reads.
MAX_SHAPES = 1024
MAX_KEYS = 200


class _Watch:
    """Watches a file's generic records go by. A file in which no record has a caption field
    (or the column ``--map caption=`` names) checks nothing: it is not read, and the message
    names the keys it has and the ``--map`` that fits. The records' skips are held back until a
    record shows a caption field, so such a file ends as one unreadable line, not a skip per
    record. A file where only some records lack a caption is read as before, one skip each;
    an empty caption (a photo without text) counts as a caption field. A column another
    ``--map`` names that no record has also fails the file, at its end."""

    def __init__(self, name: str, options: ReadOptions):
        self.name = name
        self.mapping = options.mapping
        self.defaults = options.defaults
        self.found = False  # a record has a caption field
        self.objects = 0  # records that are objects (others are skipped as they always were)
        self.creator = False  # a record has a creator field
        self.missing = {f: c for f, c in self.mapping.items() if f != "caption"}
        self.columns = Columns()
        self.shapes: set[tuple[Any, ...]] = set()  # the sets of keys seen, for the unused ones
        self.keys: dict[str, None] = {}

    def convert(self, record: Any, options: ReadOptions) -> Post:
        if isinstance(record, Mapping) and (not self.found or self.missing):
            self.objects += 1
            index = key_index(record)
            self.columns.add(record)
            if not self.found:
                self.found = has_field(record, index, "caption", self.mapping)
                self.creator = self.creator or has_field(record, index, "creator", self.mapping)
            for field in [f for f in self.missing if has_field(record, index, f, self.mapping)]:
                del self.missing[field]
        post = generic_post(record, options)
        if len(self.shapes) < MAX_SHAPES:  # the keys of records read as posts (a skip says why)
            shape = tuple(record)
            if shape not in self.shapes:
                self.shapes.add(shape)
                for key in shape:
                    if isinstance(key, str) and len(self.keys) < MAX_KEYS:
                        self.keys.setdefault(key, None)
        return post

    def gate(self, items: Iterator[Item]) -> Iterator[Item]:
        held: list[Skip] = []
        yield from hold_skips(items, lambda item: self.found, held)
        if not self.found and self.objects:
            raise InputError(self.name, self._no_caption())
        yield from held
        for field, column in self.missing.items():
            raise InputError(self.name, self._no_field(field, column))
        unused = unused_names(self.keys, self.mapping)
        if unused and self.found:  # a key no field reads is not dropped without a word
            yield Notice(self.name, Text("keys not used: {keys}", keys=Columns(unused).listing()))

    def _no_field(self, field: str, column: str) -> Text:
        return Text("--map {field}={column}: no record has this field (keys: {keys}){similar}",
                    field=field, column=column, keys=self.columns.listing(),
                    similar=self.columns.similar(column))

    def _no_caption(self) -> str:
        column = self.mapping.get("caption")
        if column is not None:
            return self._no_field("caption", column)
        return Text("no caption field in any record (keys: {keys}); {suggestion}",
                    keys=self.columns.listing(), suggestion=self.columns.suggestion(
                        self.mapping, self.defaults, self.creator, "field"))


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


def _malformed(exc: csv.Error, lines: _CsvLines, delimiter: str) -> Text:
    """Why the csv module (strict: a quote is followed by nothing but the delimiter or the end
    of the line) refused the record now being parsed; for a record of several lines, that the
    lines after its first are read again."""
    several = len(lines.record) > 1
    if lines.ended:  # the file ends inside a quoted field
        return Text("a quote opened here is never closed; the lines after it are read again") \
            if several else Text("a quote opened here is never closed")
    if "expected after" in str(exc):  # a closing quote followed by other text (`"ok"x`)
        shown = Text("tab") if delimiter == "\t" else delimiter
        if several:
            return Text("a quote opened here closes on line {line} and is followed by other text, "
                        "not {delimiter:q} or the end of the line; the lines after it are read "
                        "again", line=lines.number, delimiter=shown)
        return Text("a closing quote is followed by other text, not {delimiter:q} or the end of "
                    "the line", delimiter=shown)
    if several:
        return Text("broken CSV: {error}; the lines after this one are read again", error=str(exc))
    return Text("broken CSV: {error}", error=str(exc))


def csv_rows(stream: TextSource, name: str, header_out: list[str] | None = None
             ) -> Iterator[tuple[str, dict[str, str]] | Skip]:
    """``(position, row)`` per CSV record, header names cleaned; broken rows as ``Skip``. The
    header names are put in ``header_out`` once read (before the first row comes)."""
    delimiter = delimiter_of(stream.head)
    lines = _CsvLines(stream)
    if declared_delimiter(stream.head) is not None:
        next(lines, None)  # Excel's "sep=;": not the header, but counted as a line
    # strict: a quote that closes and is followed by other text (`"ok"x`) is an error, not text
    # that runs on, so a stray quote cannot swallow the rows after it into one field unseen
    reader = csv.reader(lines, delimiter=delimiter, strict=True)
    try:
        header = next(reader, None)
    except (csv.Error, _RecordTooLong, _LineTooLong):
        header = None
    if not header or not any(h.strip().lstrip("\ufeff") for h in header):
        raise InputError(name, Text("no header row: expected column names on the first line of "
                                    "the CSV"))
    fieldnames = [f.strip().lstrip("\ufeff") for f in header]
    if header_out is not None:
        header_out[:] = fieldnames
    replayed_to = 0  # lines up to here are being read a second time
    while True:
        first = lines.start()
        position = Text("line {number}", number=first)
        try:
            row = next(reader)
        except StopIteration:
            return
        except (csv.Error, _RecordTooLong, _LineTooLong) as exc:
            # a fresh parse from the next line
            reader = csv.reader(lines, delimiter=delimiter, strict=True)
            if isinstance(exc, csv.Error):
                # the record's first line is lost; the lines it swallowed are read again
                yield Skip(name, position, _malformed(exc, lines, delimiter))
                if len(lines.record) > 1:
                    lines.give_back()
                    lines.ended = False
                continue
            if isinstance(exc, _LineTooLong):
                yield Skip(name, position, Text("{problem}; the record is not read",
                                                problem=str(exc)))
                continue
            if first <= replayed_to:  # a second stray quote inside lines read again: skip them
                yield Skip(name, position, Text("a quote opened here is not closed within "
                                                "{limit:n} lines; lines {first}–{last} skipped",
                                                limit=MAX_RECORD_LINES, first=first,
                                                last=lines.number))
                continue
            yield Skip(name, position, Text("a quote opened here is not closed within {limit:n} "
                                            "lines; the lines after it are read again",
                                            limit=MAX_RECORD_LINES))
            lines.give_back()
            replayed_to = lines.number + len(lines.record) - 1
            continue
        if not row:
            continue  # a blank line
        if len(row) > len(fieldnames):
            yield Skip(name, position, Text("{count:n|field|fields} where the header has {header:n}",
                                            count=len(row), header=len(fieldnames)))
            continue
        values: list[str | None] = [*row, *[None] * (len(fieldnames) - len(row))]
        yield position, dict(zip(fieldnames, values, strict=True))  # type: ignore[arg-type]


def read_csv(stream: TextSource, name: str, options: ReadOptions,
             convert: Convert = generic_post) -> Iterator[Item]:
    """CSV records. For generic records, the header must hold a caption column (a known name,
    in any letter case, or the one ``--map caption=`` names) and every column ``--map`` names;
    else the file is not read, and the message names its columns and the ``--map`` that fits."""
    header: list[str] = []
    rows = csv_rows(stream, name, header)
    first = next(rows, None)  # reads the header
    if convert is generic_post:
        check_header(header, rows, first, name, options)
        unused = unused_names(header, options.mapping)
        if unused:  # a column no field reads is not dropped without a word
            yield Notice(name, Text("columns not used: {columns}",
                                    columns=Columns(unused).listing()))
    if first is None:
        return
    for item in itertools.chain([first], rows):
        if isinstance(item, Skip):
            yield item
        else:
            yield convert_record(item[1], name, item[0], convert, options)


def check_header(header: list[str], rows: Iterator[tuple[str, dict[str, Any]] | Skip],
                 first: tuple[str, dict[str, Any]] | Skip | None, name: str,
                 options: ReadOptions) -> None:
    """Raises ``InputError`` when the header lacks a column the run needs (see ``read_csv``)."""
    if header and header[0].startswith(("{", "[")):
        raise InputError(name, Text("the first line is JSON, not a CSV header: read the file as "
                                    "JSON (leave out --input-format)"))
    mapping = options.mapping
    names = dict.fromkeys(header)
    index = key_index(names)
    columns = Columns(header)
    for field in sorted(mapping, key=lambda f: f != "caption"):
        if not has_field(names, index, field, mapping):
            raise InputError(name, Text("--map {field}={column}: no such column (columns: "
                                        "{columns}){similar}", field=field, column=mapping[field],
                                        columns=columns.listing(),
                                        similar=columns.similar(mapping[field])))
    if has_field(names, index, "caption", mapping):
        return
    sample = itertools.islice(rows, SAMPLE_RECORDS - 1) if first is not None else iter(())
    for item in itertools.chain([first] if first is not None else [], sample):
        if not isinstance(item, Skip):
            columns.add(item[1])
    creator = has_field(names, index, "creator", mapping)
    raise InputError(name, Text("no caption column (columns: {columns}); {suggestion}",
                                columns=columns.listing(),
                                suggestion=columns.suggestion(mapping, options.defaults, creator)))


def first_line(head: str) -> str:
    return _LINE_END.split(head.lstrip("\ufeff"), maxsplit=1)[0]


_LINE_END = re.compile(r"\r\n|\r|\n")
# Excel's first line naming the delimiter (``sep=;``), which it writes and reads but which is
# not part of the table; some tools quote it or pad it with more delimiters
_SEP_LINE = re.compile(r'"?sep=([^"\r\n])"?\1*[ \t]*', re.IGNORECASE)


def declared_delimiter(head: str) -> str | None:
    """The delimiter a ``sep=`` first line declares, if the CSV has one."""
    match = _SEP_LINE.fullmatch(first_line(head))
    return match[1] if match else None


def header_line(head: str) -> str:
    """The line that holds the column names: the first, or the second after ``sep=``."""
    if declared_delimiter(head) is None:
        return first_line(head)
    lines = _LINE_END.split(head.lstrip("\ufeff"), maxsplit=2)
    return lines[1] if len(lines) > 1 else ""


def delimiter_of(head: str) -> str:
    """The delimiter a ``sep=`` line declares, else comma, semicolon (Danish Excel) or tab:
    whichever the header line uses most."""
    declared = declared_delimiter(head)
    if declared is not None:
        return declared
    return max((";", ",", "\t"), key=header_line(head).count)


def header_of(head: str) -> list[str]:
    """The header names of a CSV that starts with ``head`` (for detection)."""
    try:
        return [h.strip() for h in next(csv.reader([header_line(head)], delimiter=delimiter_of(head)))]
    except (csv.Error, StopIteration):
        return []


def csv_header(stream: TextSource) -> list[str]:
    return header_of(stream.head)


def read_text(stream: TextSource, name: str, options: ReadOptions) -> Iterator[Item]:
    """The whole input is one caption (a draft file, or a caption piped into ``skjult check -``)."""
    text = stream.read_all(MAX_DRAFT_CHARS)
    if text is None:
        raise InputError(name, Text("longer than {limit:n} characters: not one caption (for many "
                                    "posts use JSON Lines or CSV)", limit=MAX_DRAFT_CHARS))
    if not text.strip():
        raise InputError(name, Text("empty input: expected a caption"))
    # the whole input is the caption: no column for --map to name
    yield convert_record({"caption": text.rstrip("\n")}, name, Text("line {number}", number=1),
                         generic_post,
                         dataclasses.replace(options, mapping={}))


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


# -- the generic formats: what a file is read as when no platform's signature is found in it ----
LayoutReader = Callable[[TextSource, str, ReadOptions], Iterator[Item]]


def _as_layout(reader: LayoutReader, name: str, expected: str) -> FileReader:
    """A reader of one layout as a reader of a document, opened as format ``name``;
    ``expected`` says what the file should have been when it cannot be read as text."""
    def read(doc: Document, options: ReadOptions) -> Iterator[Item]:
        yield Opened(doc.name, name)
        with doc.text(expected) as stream:
            yield from reader(stream, doc.name, options)

    return read


# Their names are the fallbacks of detection (detect.py): a JSON file that matches no platform
# is jsonl or json, a CSV file csv, anything else text. None claims a file by its contents.
JSONL_FORMAT = InputFormat(
    name="jsonl",
    title=Text("JSON Lines: one post object per line (caption, creator, ...)"),
    hand_in=Text("a .jsonl file"),
    read_file=_as_layout(read_jsonl, "jsonl", "JSON Lines"),
)

JSON_FORMAT = InputFormat(
    name="json",
    title=Text("a JSON array of post objects, or an object wrapping one"),
    hand_in=Text("a .json file"),
    read_file=_as_layout(read_json, "json", "JSON"),
)

CSV_FORMAT = InputFormat(
    name="csv",
    title=Text("CSV with a header row; comma, semicolon or tab; UTF-8 or cp1252"),
    hand_in=Text("a .csv file (e.g. from Excel)"),
    read_file=_as_layout(read_csv, "csv", "CSV"),
)

TEXT_FORMAT = InputFormat(
    name="text",
    title=Text("one caption: the whole input is the text"),
    hand_in=Text("standard input"),
    read_file=_as_layout(read_text, "text", Text("a caption")),
)
