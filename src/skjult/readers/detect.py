"""Which reader each input needs, decided in this one place.

An input is a file, a folder, a zip archive or ``-`` (standard input). Folders and archives are
searched for platform exports by their member paths (an Instagram export's
``your_instagram_activity/media/posts_1.json``, a TikTok ``user_data_tiktok.json``, ...); each
export found is read by its module; other JSON/CSV files are read one by one, their format
recognised by content (a scraper's field names, a CSV header). ``--input-format`` overrides.

Each reader module declares its formats (``InputFormat``, see ``format.py``): name, title, what
to hand in, its readers and how it is recognised. ``REGISTRY`` below lists those declarations;
this module knows no platform (but for naming them when a folder holds nothing readable), only
how to try what the declarations say, and the generic layouts (JSON Lines, JSON, CSV, text)
that a file without a platform's signature is read as."""

from __future__ import annotations

import re
import stat
import zipfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from skjult.i18n import Text
from skjult.items import Notice, Skip, Unreadable
from skjult.model import Post
from skjult.readers import (
    apify,
    drafts,
    facebook,
    generic,
    instagram,
    instaloader,
    parquet,
    platform_apis,
    tiktok,
    youtube,
)
from skjult.readers.base import Item, ReadOptions, guarded
from skjult.readers.document import STDIN, Document, file_document, stdin_document
from skjult.readers.errors import InputError
from skjult.readers.format import CsvHeader, InputFormat, JsonSignature, Marker
from skjult.readers.generic import declared_delimiter, first_line, header_of, hold_skips
from skjult.readers.meta import HTML_ADVICE
from skjult.readers.textstream import CHUNK, is_binary
from skjult.readers.tree import Member, Tree, ZipTree, open_tree

# What a JSON or CSV file is read as when no platform's signature matches, and anything else.
JSONL, JSON, CSV, TEXT = (generic.JSONL_FORMAT.name, generic.JSON_FORMAT.name,
                          generic.CSV_FORMAT.name, generic.TEXT_FORMAT.name)
# Files in folders and archives that are read as records (also when compressed: x.json.gz)
RECORD_SUFFIXES = (".json", ".jsonl", ".ndjson", ".csv", ".tsv")


class Registry:
    """Input formats in the order ``skjult formats`` lists them, and their declared ways of
    being recognised in the order detection tries them: by rank, then by registry order
    (``sorted`` is stable), then in the order a format declares them."""

    def __init__(self, formats: Iterable[InputFormat]) -> None:
        self.formats: dict[str, InputFormat] = {}
        for fmt in formats:
            if fmt.name in self.formats:  # --input-format could reach only one of them
                raise ValueError(f"two input formats are named {fmt.name!r}")
            self.formats[fmt.name] = fmt
        missing = [n for n in (JSONL, JSON, CSV, TEXT) if n not in self.formats]
        if missing:  # detection falls back to these; without them a file would have no reader
            raise ValueError(f"the registry lacks the generic formats {missing}")
        listed = tuple(self.formats.values())
        self.markers: tuple[tuple[str, Marker], ...] = tuple(sorted(
            ((f.name, m) for f in listed for m in f.markers), key=lambda found: found[1].rank))
        self.html: tuple[re.Pattern[str], ...] = tuple(f.html for f in listed
                                                       if f.html is not None)
        self.json_signatures: tuple[tuple[str, JsonSignature], ...] = tuple(sorted(
            ((f.name, s) for f in listed for s in f.json_signatures),
            key=lambda found: found[1].rank))
        self.csv_headers: tuple[tuple[str, CsvHeader], ...] = tuple(sorted(
            ((f.name, f.csv_header) for f in listed if f.csv_header is not None),
            key=lambda found: found[1].rank))
        self.by_suffix: tuple[InputFormat, ...] = tuple(f for f in listed if f.suffixes)
        self.by_magic: tuple[InputFormat, ...] = tuple(f for f in listed if f.magic)

    def exports(self, tree: Tree) -> tuple[list[tuple[str, str]], list[str], list[Member]]:
        """The exports in a tree as (format, root), the roots of HTML exports, and the members
        that belong to no export."""
        members = tree.members()
        paths = {m.path.lower() for m in members}
        found: dict[tuple[str, str], None] = {}
        roots: list[str] = []  # exports that own everything below their root
        taken: set[str] = set()  # export files that stand alone (a TikTok user_data_tiktok.json)
        html: list[str] = []
        for member in members:
            for name, marker in self.markers:  # the first marker that matches and holds wins
                match = marker.pattern.fullmatch(member.path)
                if match and (marker.confirm is None
                              or marker.confirm(tree, member, match["root"], paths)):
                    found[(name, match["root"])] = None
                    if marker.claims:
                        roots.append(match["root"])
                    else:
                        taken.add(member.path)
                    break
            else:
                for pattern in self.html:
                    match = pattern.fullmatch(member.path)
                    if match and match["root"] not in html:
                        html.append(match["root"])
        html = [h for h in html if h not in roots]
        owned = tuple(roots + html)
        leftovers = [m for m in members if not m.path.startswith(owned) and m.path not in taken]
        return list(found), html, leftovers

    def read_alone(self, member: Member) -> bool:
        """Whether a member that belongs to no export is read as a file of its own."""
        lower = member.path.lower()
        if lower.removesuffix(".gz").removesuffix(".xz").endswith(RECORD_SUFFIXES):
            return True
        bare = lower.removesuffix(".gz").removesuffix(".xz")  # x.parquet.gz, as when named
        return any(bare.endswith(f.suffixes)
                   and not (f.not_members is not None and f.not_members.fullmatch(member.path))
                   for f in self.by_suffix)

    def detect(self, doc: Document) -> str:
        """The format of one file, from its extension and its first 64 KB."""
        suffix = doc.suffix
        for fmt in self.by_suffix:
            if suffix in fmt.suffixes:
                return fmt.name
        if self.by_magic:
            first = doc.start_bytes(CHUNK)
            for fmt in self.by_magic:
                # a caption may begin with the same letters ("PAR1-holdet ..."): a binary
                # format's file is binary too
                if first.startswith(fmt.magic) and is_binary(first):
                    return fmt.name
        head = doc.head()
        start = head.lstrip(" \t\r\n")
        if start[:1] and start[:1] in "[{":
            for name, signature in self.json_signatures:
                if signature.found_in(head):
                    return name
            if suffix in (".jsonl", ".ndjson"):
                return JSONL
            if suffix == ".json" or start[:1] == "[":
                return JSON
            return JSONL if _one_line_object(start) else JSON
        if suffix in (".csv", ".tsv") or (doc.reopenable and _looks_like_csv(start)):
            header = csv_header_of(doc)
            for name, sniff in self.csv_headers:
                if sniff.test(header):  # may raise ValueError: the file is refused with why
                    return name
            return CSV
        return TEXT


# The formats skjult reads, in the order `skjult formats` lists them. A new source is a module
# that declares an InputFormat, and one line here. The functions below look REGISTRY up when
# called, not when defined, so that a test can stand another registry in for it.
REGISTRY = Registry((
    instagram.FORMAT,
    facebook.FORMAT,
    tiktok.FORMAT,
    youtube.TAKEOUT_FORMAT,
    youtube.API_FORMAT,
    apify.INSTAGRAM_FORMAT,
    apify.TIKTOK_FORMAT,
    instaloader.FORMAT,
    platform_apis.GRAPH_FORMAT,
    platform_apis.MCL_FORMAT,
    platform_apis.CROWDTANGLE_FORMAT,
    generic.JSONL_FORMAT,
    generic.JSON_FORMAT,
    generic.CSV_FORMAT,
    parquet.FORMAT,
    drafts.FORMAT,
    generic.TEXT_FORMAT,
))
# name -> format, for the CLI's --input-format choices and `skjult formats`
FORMATS: dict[str, InputFormat] = REGISTRY.formats


def csv_header_of(doc: Document) -> list[str]:
    return header_of(doc.head())


def read_tree(tree: Tree, options: ReadOptions, input_format: str | None = None) -> Iterator[Item]:
    tree.members()  # listing the tree finds what cannot be read in it
    for where, why in tree.problems:
        yield Unreadable(where, why)
    for where, why in tree.passed_over:
        yield Notice(where, why)
    if input_format:
        fmt = REGISTRY.formats[input_format]
        if fmt.read_tree is not None:
            def looks() -> str | None:
                found = {name for name, _ in REGISTRY.exports(tree)[0]}
                return input_format if input_format in found else min(found, default=None)

            yield from forced(tree.name, Text("archive") if isinstance(tree, ZipTree) else
                              Text("folder"),
                              input_format, looks, guarded(tree.name, fmt.read_tree(tree, "", options)))
            return
        files = [m for m in tree.members() if m.path.lower().endswith(RECORD_SUFFIXES)]
        if not files and not tree.problems:
            yield Unreadable(tree.name, Text("--input-format {format}: no JSON or CSV file in it "
                                             "(expected {expected})", format=input_format,
                                             expected=fmt.hand_in))
        for member in files:
            yield from read_document(tree.document(member), options, input_format)
        return
    exports, html, leftovers = REGISTRY.exports(tree)
    for root in html:
        yield Unreadable(tree.display_folder(root.rstrip("/")), HTML_ADVICE)
    for name, root in exports:
        reader = REGISTRY.formats[name].read_tree
        assert reader is not None
        yield from guarded(tree.name, reader(tree, root, options))
    ignored: list[str] = []
    read_any = bool(exports or html)
    for member in leftovers:
        lower = member.path.lower()
        if lower.endswith(".zip"):
            if isinstance(tree, ZipTree):
                yield Notice(tree.display(member), Text("an archive inside an archive is not "
                                                        "read; unpack the outer one first"))
            else:
                read_any = True
                yield from read_path(tree.display(member), options)
        elif REGISTRY.read_alone(member):
            read_any = True
            yield from read_document(tree.document(member), options)
        else:
            ignored.append(member.path)
    if not read_any and not tree.problems:
        yield Unreadable(tree.name, Text("no posts found: expected an Instagram, Facebook, "
                                         "TikTok or YouTube export, an instaloader folder, or "
                                         "JSON/CSV files"))
    elif ignored:
        suffixes = {Path(p).suffix.lower() for p in ignored}
        kinds = ", ".join(sorted(suffixes - {""})[:6]) + (", …" if len(suffixes - {""}) > 6 else "")
        if "" in suffixes:
            kinds = Text("{kinds}, no extension", kinds=kinds) if kinds else Text("no extension")
        yield Notice(tree.name, Text("{count:n|other file|other files} not read ({kinds}): not "
                                     "posts", count=len(ignored), kinds=kinds))


# -- single files ------------------------------------------------------------------------------
def detect(doc: Document) -> str:
    """The format of one file, from its extension and its first 64 KB."""
    return REGISTRY.detect(doc)


def _one_line_object(start: str) -> bool:
    import json

    try:
        json.loads(start.split("\n", 1)[0])
    except json.JSONDecodeError:
        return False
    return True


def _looks_like_csv(start: str) -> bool:
    if declared_delimiter(start) is not None:  # Excel's "sep=;" line
        return True
    first = first_line(start)
    return max(first.count(d) for d in (",", ";", "\t")) >= 1


def read_document(doc: Document, options: ReadOptions, input_format: str | None = None
                  ) -> Iterator[Item]:
    """One file, read as ``input_format`` or as what it looks like; never raises."""
    try:
        name = input_format or detect(doc)
    except InputError as exc:
        doc.close()
        yield Unreadable(exc.file, exc.message)
        return
    except ValueError as exc:
        doc.close()
        yield Unreadable(doc.name, str(exc))
        return
    if name == TEXT and doc.reopenable and input_format is None:
        doc.close()
        yield Unreadable(doc.name, Text("unknown format: expected a platform export, JSON Lines, "
                                        "JSON or CSV (use --input-format to say which)"))
        return
    reader = REGISTRY.formats[name].read_file
    if reader is None:
        doc.close()
        yield Unreadable(doc.name, Text("{format} is read from a folder or zip ({expected})",
                                        format=name, expected=REGISTRY.formats[name].hand_in))
        return
    if input_format is None:
        yield from guarded(doc.name, reader(doc, options), doc)
        return
    try:  # what the file would be read as unforced (its start is kept for the reader)
        looks: str | None = detect(doc)
    except InputError as exc:
        if not doc.reopenable:  # standard input that is empty or binary: as unforced
            yield Unreadable(exc.file, exc.message)
            return
        looks = None  # the reader opens the file again and says what is wrong with it
    except ValueError:
        looks = None
    yield from forced(doc.name, Text("file"), input_format, lambda: looks,
                      guarded(doc.name, reader(doc, options), doc))


def forced(name: str, noun: str, fmt: str, looks: Callable[[], str | None],
           items: Iterator[Item]) -> Iterator[Item]:
    """The items of an input read as ``--input-format fmt``. When no record of it could be read
    as that format (no post came out) and it does not look like one (``looks()``, asked only
    then, names the format it would be read as unforced), the input is unreadable: exit 2 with
    what was expected, not a pass over a file that was never checked. Its skips are held back
    until a post comes, and dropped if none does (the file counts as unreadable, not as skipped
    records too). An export of that format in which no post has text stays a run of no-text
    skips."""
    held: list[Skip] = []
    first: list[Skip] = []  # the first skip, to say what went wrong
    came: list[Item] = []  # a post, or the reader saying why the file cannot be read

    def decided(item: Item) -> bool:
        if isinstance(item, Skip) and not first:
            first.append(item)
        if isinstance(item, Post | Unreadable) and not came:
            came.append(item)
        return bool(came)

    yield from hold_skips(items, decided, held)
    seems = None if came else looks()
    if not came and seems != fmt:
        spec = REGISTRY.formats[fmt]
        hint = Text("; it looks like {format} (leave out --input-format to read it as that)",
                    format=seems) if seems not in (None, TEXT) else ""
        problem = Text("; first problem: {position}: {reason}", position=first[0].position,
                       reason=first[0].reason if len(first[0].reason) <= 200 else
                       first[0].reason[:200]) if first else ""
        yield Unreadable(name, Text("--input-format {format} matches no record of this {noun} "
                                    "(expected {title}: {expected}){hint}{problem}", format=fmt,
                                    noun=noun, title=spec.title, expected=spec.hand_in, hint=hint,
                                    problem=problem))
        return
    yield from held


def read_path(path: str, options: ReadOptions | None = None, input_format: str | None = None
              ) -> Iterator[Item]:
    """Everything in one input — a file, a folder, a zip, or ``-`` — as items, streamed.
    Problems with whole files come as ``Unreadable`` items; this never raises for bad input."""
    options = options or ReadOptions()
    if input_format is not None and input_format not in REGISTRY.formats:
        yield Unreadable(path, Text("unknown input format {format:q}; see `skjult formats`",
                                    format=input_format))
        return
    if path == STDIN:
        yield from read_document(stdin_document(), options, input_format)
        return
    target = Path(path)
    if not target.exists():
        yield Unreadable(path, Text("no such file or folder"))
        return
    if target.is_dir() or (target.suffix.lower() == ".zip" and input_format not in
                           {n for n, f in REGISTRY.formats.items() if f.read_tree is None}):
        try:
            tree = open_tree(target, options.exclude)
        except InputError as exc:
            yield Unreadable(exc.file, exc.message)
            return
        try:
            yield from guarded(path, read_tree(tree, options, input_format))
        finally:
            tree.close()
        return
    # only a regular file is looked at as a zip: is_zipfile reads /dev/zero to the end
    if target.is_file() and not _special(target) and zipfile.is_zipfile(target) \
            and target.suffix.lower() not in (".xlsx", ".docx"):
        yield from read_path_as_zip(target, options, input_format)
        return
    yield from read_document(file_document(path), options, input_format)


def _special(target: Path) -> bool:
    try:
        return not stat.S_ISREG(target.stat().st_mode)
    except OSError:
        return True


def read_path_as_zip(target: Path, options: ReadOptions, input_format: str | None
                     ) -> Iterator[Item]:
    """A zip archive whose name does not end in .zip (Takeout's parts sometimes do not)."""
    try:
        tree = open_tree(target, options.exclude) if target.is_dir() else ZipTree(target)
    except InputError as exc:
        yield Unreadable(exc.file, exc.message)
        return
    try:
        yield from guarded(str(target), read_tree(tree, options, input_format))
    finally:
        tree.close()
