"""Which reader each input needs, decided in this one place.

An input is a file, a folder, a zip archive or ``-`` (standard input). Folders and archives are
searched for platform exports by their member paths (an Instagram export's
``your_instagram_activity/media/posts_1.json``, a TikTok ``user_data_tiktok.json``, ...); each
export found is read by its module; other JSON/CSV files are read one by one, their format
recognised by content (a scraper's field names, a CSV header). ``--input-format`` overrides."""

from __future__ import annotations

import re
import stat
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from skjult.i18n import Text
from skjult.model import Notice, Opened, Post, Skip, Unreadable
from skjult.readers import (
    apify,
    drafts,
    facebook,
    instagram,
    instaloader,
    platform_apis,
    tiktok,
    youtube,
)
from skjult.readers.base import InputError, Item, ReadOptions, guarded
from skjult.readers.document import STDIN, Document, file_document, stdin_document
from skjult.readers.generic import (
    declared_delimiter,
    first_line,
    header_of,
    hold_skips,
    read_csv,
    read_json,
    read_jsonl,
    read_text,
)
from skjult.readers.meta import HTML_ADVICE
from skjult.readers.tree import Member, Tree, ZipTree, open_tree

FileReader = Callable[[Document, ReadOptions], Iterator[Item]]
TreeReader = Callable[[Tree, str, ReadOptions], Iterator[Item]]


@dataclass(frozen=True)
class Format:
    name: str
    title: str
    hand_in: str  # what the user gives skjult
    read_file: FileReader | None = None
    read_tree: TreeReader | None = None


def _generic(reader: Callable[..., Iterator[Item]], name: str, expected: str) -> FileReader:
    def read(doc: Document, options: ReadOptions) -> Iterator[Item]:
        yield Opened(doc.name, name)
        with doc.text(expected) as stream:
            yield from reader(stream, doc.name, options)

    return read


def _tiktok_tree(tree: Tree, root: str, options: ReadOptions) -> Iterator[Item]:
    for member in tree.find(tiktok.FILES, root):
        doc = tree.document(member)
        yield from guarded(doc.name, tiktok.read_file(doc, options), doc)


def _takeout_file(doc: Document, options: ReadOptions) -> Iterator[Item]:
    """A lone videos.csv: its channel names from ``../channels/channel.csv`` when on disk."""
    channels: dict[str, str] = {}
    for sibling in ("channels/channel.csv", "channels/Channel.csv"):
        candidate = Path(doc.path).parent.parent / sibling
        if doc.reopenable and candidate.is_file():
            channels = youtube.read_channels(file_document(str(candidate)))
            break
    yield from youtube.read_takeout_file(doc, options, channels)


# Titles and what to hand in are messages (``Text``): ``--input-format`` errors say them in the
# run's language; ``skjult formats`` shows them in English, as the str they are.
FORMATS: dict[str, Format] = {f.name: f for f in (
    Format("instagram",
           Text("Instagram \"Download your information\" export (JSON), every generation"),
           Text("the .zip as downloaded, its unpacked folder, or one content/posts_1.json"),
           instagram.read_file, instagram.read_tree),
    Format("facebook", Text("Facebook \"Download your information\" export (JSON)"),
           Text("the .zip as downloaded, its unpacked folder, or one your_posts_1.json"),
           facebook.read_file, facebook.read_tree),
    Format("tiktok", Text("TikTok \"Download your data\" export (JSON)"),
           Text("user_data_tiktok.json (or user_data.json), alone or in its .zip"),
           tiktok.read_file, _tiktok_tree),
    Format("youtube-takeout", Text("YouTube in Google Takeout (video metadata CSV)"),
           Text("the Takeout .zip or folder, or video metadata/videos.csv"),
           _takeout_file, youtube.read_tree),
    Format("youtube-api", Text("YouTube Data API v3 videos resources (JSON)"),
           Text("the API's videos.list response, or one video resource per line"),
           youtube.read_api_file),
    Format("apify-instagram", Text("Apify Instagram scraper dataset (JSON, JSONL or CSV)"),
           Text("the dataset export as JSON or CSV"), apify.read_instagram),
    Format("apify-tiktok", Text("Apify TikTok scraper dataset (JSON, JSONL or CSV)"),
           Text("the dataset export as JSON or CSV"), apify.read_tiktok),
    Format("instaloader",
           Text("instaloader download folders (.txt captions, .json.xz metadata)"),
           Text("the profile folder instaloader wrote (or a zip of it)"),
           None, instaloader.read_tree),
    Format("instagram-graph", Text("Instagram Graph API media objects (JSON)"),
           Text("the /media response ({{\"data\": [...]}}) or one object per line"),
           platform_apis.read_graph),
    Format("meta-content-library", Text("Meta Content Library posts (API JSON or CSV download)"),
           Text("the JSON or CSV file"), platform_apis.read_mcl),
    Format("crowdtangle", Text("CrowdTangle historical data (CSV, Instagram or Facebook)"),
           Text("the CSV as downloaded"), platform_apis.read_crowdtangle),
    Format("jsonl", Text("JSON Lines: one post object per line (caption, creator, ...)"),
           Text("a .jsonl file"), _generic(read_jsonl, "jsonl", "JSON Lines")),
    Format("json", Text("a JSON array of post objects, or an object wrapping one"),
           Text("a .json file"), _generic(read_json, "json", "JSON")),
    Format("csv", Text("CSV with a header row; comma, semicolon or tab; UTF-8 or cp1252"),
           Text("a .csv file (e.g. from Excel)"), _generic(read_csv, "csv", "CSV")),
    Format("draft", Text("a caption draft: one caption per file, optional YAML front matter "
                         "(creator, platform, brand, paid_partnership, audience)"),
           Text("a .txt or .md file"), drafts.read_draft),
    Format("text", Text("one caption: the whole input is the text"), Text("standard input"),
           _generic(read_text, "text", Text("a caption"))),
)}

# -- exports inside folders and archives ------------------------------------------------------
# (format, member path pattern with the export's root as group "root", claims the whole root)
EXPORT_MARKERS: tuple[tuple[str, re.Pattern[str], bool], ...] = tuple(
    (name, re.compile(pattern, re.IGNORECASE), claims) for name, pattern, claims in (
        ("instagram", rf"(?P<root>.*?){instagram.CONTENT}", True),
        ("facebook", rf"(?P<root>.*?){facebook.CONTENT}", True),
        ("tiktok", rf"(?P<root>.*?){tiktok.FILES}", False),
        ("youtube-takeout", r"(?P<root>.*?)[^/]+/[^/]+\.csv", True),
        ("instaloader", rf"(?P<root>(?:.*/)?){instaloader.STEM}\.(?:txt|json|json\.xz)", True),
    ))
LEGACY_INSTAGRAM = re.compile(r"(?P<root>.*?)media\.json", re.IGNORECASE)
HTML_MARKERS = (re.compile(rf"(?P<root>.*?){instagram.HTML}", re.IGNORECASE),
                re.compile(rf"(?P<root>.*?){facebook.HTML}", re.IGNORECASE))
RECORD_SUFFIXES = (".json", ".jsonl", ".ndjson", ".csv", ".tsv")
DRAFT_SUFFIXES = (".txt", ".md")
NOT_DRAFTS = re.compile(r"(?:.*/)?(?:readme|license|licence|changelog|contributing)[^/]*",
                        re.IGNORECASE)


def _exports(tree: Tree) -> tuple[list[tuple[str, str]], list[str], list[Member]]:
    """The exports in a tree as (format, root), the roots of HTML exports, and the members that
    belong to no export."""
    members = tree.members()
    paths = {m.path.lower() for m in members}
    found: dict[tuple[str, str], None] = {}
    roots: list[str] = []  # exports that own everything below their root
    taken: set[str] = set()  # export files that stand alone (a TikTok user_data_tiktok.json)
    html: list[str] = []
    for member in members:
        for name, pattern, claims in EXPORT_MARKERS:
            match = pattern.fullmatch(member.path)
            if match and (name != "youtube-takeout" or _is_takeout(tree, member)):
                found[(name, match["root"])] = None
                if claims:
                    roots.append(match["root"])
                else:
                    taken.add(member.path)
                break
        else:
            legacy = LEGACY_INSTAGRAM.fullmatch(member.path)
            if legacy and f"{legacy['root']}profile.json".lower() in paths:
                found[("instagram", legacy["root"])] = None
                roots.append(legacy["root"])
            for marker in HTML_MARKERS:
                match = marker.fullmatch(member.path)
                if match and match["root"] not in html:
                    html.append(match["root"])
    html = [h for h in html if h not in roots]
    owned = tuple(roots + html)
    leftovers = [m for m in members if not m.path.startswith(owned) and m.path not in taken]
    return list(found), html, leftovers


def _is_takeout(tree: Tree, member: Member) -> bool:
    try:
        doc = tree.document(member)
        try:
            return youtube.is_videos_header(csv_header_of(doc))
        finally:
            doc.close()
    except (InputError, OSError, UnicodeDecodeError):
        return False


def csv_header_of(doc: Document) -> list[str]:
    return header_of(doc.head())


def read_tree(tree: Tree, options: ReadOptions, input_format: str | None = None) -> Iterator[Item]:
    tree.members()  # listing the tree finds what cannot be read in it
    for where, why in tree.problems:
        yield Unreadable(where, why)
    for where, why in tree.passed_over:
        yield Notice(where, why)
    if input_format:
        fmt = FORMATS[input_format]
        if fmt.read_tree is not None:
            def looks() -> str | None:
                found = {name for name, _ in _exports(tree)[0]}
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
    exports, html, leftovers = _exports(tree)
    for root in html:
        yield Unreadable(tree.display_folder(root.rstrip("/")), HTML_ADVICE)
    for name, root in exports:
        reader = FORMATS[name].read_tree
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
        elif lower.removesuffix(".gz").removesuffix(".xz").endswith(RECORD_SUFFIXES) or (
                lower.endswith(DRAFT_SUFFIXES) and not NOT_DRAFTS.fullmatch(member.path)):
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
def _keys(*names: str) -> list[re.Pattern[str]]:
    return [re.compile(rf'"{re.escape(n)}"\s*:') for n in names]


# Checked in order on the first 64 KB of a JSON file: (format, all of, any of).
JSON_SIGNATURES: tuple[tuple[str, list[re.Pattern[str]], list[re.Pattern[str]]], ...] = (
    ("facebook", [re.compile(r'"timestamp"\s*:'), re.compile(r'"data"\s*:\s*\[')],
     _keys("post", "attachments", "update_timestamp")),
    ("instagram", [], _keys("ig_reels_media", "ig_stories", "ig_archived_post_media",
                            "ig_igtv_media", "ig_other_media", "ig_profile_picture")),
    ("instagram", [re.compile(r'"media"\s*:\s*\['), *_keys("creation_timestamp", "uri")], []),
    ("instagram", _keys("photos", "taken_at"), []),
    ("tiktok", [], _keys("VideoList", "ProfileMap", "Ads and data", "App Settings",
                         "Direct Message", "Your Activity")),
    ("instaloader", _keys("node", "instaloader"), []),
    ("youtube-api", [], [re.compile(r'"youtube#video'), re.compile(r'"snippet"\s*:\s*\{')]),
    ("apify-instagram", [], _keys("ownerUsername", "shortCode")),
    ("apify-tiktok", [], _keys("authorMeta", "webVideoUrl")),
    ("meta-content-library", [], _keys("post_owner", "is_branded_content")),
    ("instagram-graph", [], _keys("media_product_type")),
)


def _csv_format(header: list[str]) -> str:
    names = set(header)
    if youtube.is_videos_header(header):
        return "youtube-takeout"
    if youtube.is_channel_header(header):
        raise ValueError(Text("this is YouTube's channel.csv; hand in video metadata/videos.csv "
                              "or the whole Takeout folder"))
    if "Post Created" in names and names & {"User Name", "Page Name"}:
        return "crowdtangle"
    if any(h.startswith(("authorMeta/", "authorMeta.")) for h in header):
        return "apify-tiktok"
    if names & {"ownerUsername", "shortCode"}:
        return "apify-instagram"
    if any(h.startswith(("post_owner/", "post_owner.")) for h in header):
        return "meta-content-library"
    if "media_product_type" in names:
        return "instagram-graph"
    return "csv"


def detect(doc: Document) -> str:
    """The format of one file, from its extension and its first 64 KB."""
    suffix = doc.suffix
    if suffix in (".txt", ".md"):
        return "draft"
    head = doc.head()
    start = head.lstrip(" \t\r\n")
    if start[:1] and start[:1] in "[{":
        for name, required, alternatives in JSON_SIGNATURES:
            if all(p.search(head) for p in required) and (
                    not alternatives or any(p.search(head) for p in alternatives)):
                return name
        if suffix in (".jsonl", ".ndjson"):
            return "jsonl"
        if suffix == ".json" or start[:1] == "[":
            return "json"
        return "jsonl" if _one_line_object(start) else "json"
    if suffix in (".csv", ".tsv") or (doc.reopenable and _looks_like_csv(start)):
        return _csv_format(csv_header_of(doc))
    return "text"


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
    if name == "text" and doc.reopenable and input_format is None:
        doc.close()
        yield Unreadable(doc.name, Text("unknown format: expected a platform export, JSON Lines, "
                                        "JSON or CSV (use --input-format to say which)"))
        return
    reader = FORMATS[name].read_file
    if reader is None:
        doc.close()
        yield Unreadable(doc.name, Text("{format} is read from a folder or zip ({expected})",
                                        format=name, expected=FORMATS[name].hand_in))
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
        spec = FORMATS[fmt]
        hint = Text("; it looks like {format} (leave out --input-format to read it as that)",
                    format=seems) if seems not in (None, "text") else ""
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
    if input_format is not None and input_format not in FORMATS:
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
                           {n for n, f in FORMATS.items() if f.read_tree is None}):
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
