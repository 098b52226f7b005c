"""The record layouts every source shares: JSON Lines, JSON arrays (read incrementally, also when
wrapped in an object), CSV as Excel writes it, and a bare caption. Each takes a ``Convert`` that
turns one record into a ``Post``, so a platform module only says where its fields are."""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterator
from typing import Any

from skjult.model import Opened, Post, Skip
from skjult.readers.base import InputError, Item, ReadOptions, RecordError, skip_for, unflatten
from skjult.readers.document import Document
from skjult.readers.jsonstream import JsonReader, JsonStreamError, Path, Select, Want, path_text, walk
from skjult.readers.records import post_from_mapping
from skjult.readers.textstream import TextSource

Convert = Callable[[Any, ReadOptions], Post]
ARRAY_KEYS = ("posts", "data", "items", "results", "videos", "media")


def generic_post(record: Any, options: ReadOptions) -> Post:
    return post_from_mapping(record, mapping=options.mapping, defaults=options.defaults)


def finish(post: Post, name: str, position: str, options: ReadOptions) -> Post:
    """Where the post came from, and the user's defaults for what the record does not say."""
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
    except RecordError as exc:
        return skip_for(exc, name, position)


def read_jsonl(stream: TextSource, name: str, options: ReadOptions,
               convert: Convert = generic_post) -> Iterator[Item]:
    for number, line in enumerate(stream, start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            yield Skip(name, f"line {number}", f"invalid JSON: {exc.msg} (column {exc.colno})")
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
    """``(path, position, value)`` for each value ``select`` picks, then a ``Skip`` if the JSON
    breaks off (what follows cannot be read)."""
    reader = JsonReader(stream)
    last: Path = ()
    try:
        for path, line, value in walk(reader, select):
            last = path
            yield path, f"{path_text(path)} (line {line})", value
        if not reader.at_end():
            raise JsonStreamError("unexpected text after the JSON value", reader.line)
    except JsonStreamError as exc:
        where = f"after {path_text(last)}" if last else "start"
        yield Skip(name, f"{where} (line {exc.line})", f"{exc}; the rest of the file cannot be read")


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


def csv_rows(stream: TextSource, name: str) -> Iterator[tuple[str, dict[str, str]] | Skip]:
    """``(position, row)`` per CSV record, header names cleaned; broken rows as ``Skip``."""
    reader = csv.DictReader(stream, delimiter=delimiter_of(stream.head))
    if not reader.fieldnames:
        raise InputError(name, "empty CSV file: expected a header row")
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
        yield position, row


def read_csv(stream: TextSource, name: str, options: ReadOptions,
             convert: Convert = generic_post) -> Iterator[Item]:
    for item in csv_rows(stream, name):
        if isinstance(item, Skip):
            yield item
        else:
            yield convert_record(item[1], name, item[0], convert, options)


def delimiter_of(head: str) -> str:
    """Comma, semicolon (Danish Excel) or tab: whichever the header line uses most."""
    first_line = head.lstrip("\ufeff").split("\n", 1)[0]
    return max((";", ",", "\t"), key=first_line.count)


def header_of(head: str) -> list[str]:
    """The header names of a CSV that starts with ``head`` (for detection)."""
    first_line = head.lstrip("\ufeff").split("\n", 1)[0]
    try:
        return [h.strip() for h in next(csv.reader([first_line], delimiter=delimiter_of(head)))]
    except (csv.Error, StopIteration):
        return []


def csv_header(stream: TextSource) -> list[str]:
    return header_of(stream.head)


def read_text(stream: TextSource, name: str, options: ReadOptions) -> Iterator[Item]:
    """The whole input is one caption (a draft file, or a caption piped into ``skjult check -``)."""
    text = stream.read()
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
