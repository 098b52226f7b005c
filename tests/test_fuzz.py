"""Hostile input for the real ``skjult check``: fixture exports and small generated files with
their bytes mutated (truncated, flipped, deep nesting, lone surrogates, huge numbers, CR-only
lines, NUL bytes, invalid UTF-8, unbalanced CSV quotes, values of the wrong type, damaged zips and
gzip streams). Whatever the input, the CLI keeps its contract (see ``hostile_cli``): exit code
0/1/2, no traceback, a report in which every file has ``read == checked + skipped``, the input
left as it was, and a bounded run time.

The property tests are derandomized (same examples on every run, so CI is reproducible) and do not
shrink: one CLI run costs ~0.3 s, and shrinking several failures could take minutes. A failing
example is printed as the seed file, the target and the list of ``Mutation``s, which replay it
exactly (``mutate``). ``test_hostile_input`` holds one named, minimal input per kind of damage.
"""

from __future__ import annotations

import codecs
import gzip
import io
import json
import lzma
import re
import shutil
import tempfile
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, NamedTuple, TypeVar

import pytest
from hostile_cli import (
    DRAFTS,
    EXPORTS,
    WriteWatch,
    contract_problems,
    describe,
    run_in_process,
    run_subprocess,
)
from hypothesis import HealthCheck, Phase, given, note, settings
from hypothesis import strategies as st
from hypothesis.control import currently_in_test_context

BOUND_S = 30.0  # wall time per run; the fixtures are a few KB, a healthy run takes < 1 s

BASE = settings(
    derandomize=True,  # the same examples on every machine and every run
    database=None,  # nothing written to .hypothesis/; derandomized runs need no replay
    deadline=None,  # one example is a whole CLI run; time is checked against BOUND_S instead
    phases=(Phase.explicit, Phase.generate),  # no shrinking: see the module docstring
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                           HealthCheck.function_scoped_fixture],
)


# -- seeds: fixture exports and a few generated files --------------------------------------------
GENERATED = "generated"
_POSTS: list[dict[str, Any]] = [
    {"id": "g1", "creator": "anne", "platform": "instagram", "created_at": 1727337600,
     "caption": "Tak for gaven @tehuset 🍵 #ad", "paid_partnership": True, "audience": "minors",
     "brand": "@tehuset"},
    {"id": "g2", "creator": "bent", "created_at": "2025-09-26T08:00:00Z",
     "caption": "Reklame for @fiskegrej | Ny stang 🎣\nBrug koden BENT10",
     "url": "https://www.instagram.com/p/g2/"},
    {"creator": "cille", "caption": "Søndagskage med mormor", "created_at": 1727337600123},
]


def _jsonl(posts: list[dict[str, Any]]) -> bytes:
    return "".join(json.dumps(p, ensure_ascii=False) + "\n" for p in posts).encode("utf-8")


def generated_files() -> dict[str, bytes]:
    """Small files of every generic layout (relative path -> bytes)."""
    jsonl = _jsonl(_POSTS)
    return {
        "posts.jsonl": jsonl,
        "wrapped.json": json.dumps({"posts": _POSTS}, ensure_ascii=False, indent=1).encode("utf-8"),
        "posts.csv": ('caption,creator,created_at,paid_partnership\r\n'
                      '"Tak for gaven @tehuset, den er god 🍵\r\n#ad",anne,1727337600,ja\r\n'
                      'Søndagskage med mormor,cille,2025-09-26T08:00:00Z,nej\r\n').encode(),
        # Danish Excel: semicolons and cp1252
        "excel.csv": ("Tekst;Profil\r\nTak for gaven fra @hudlab æøå;ida\r\nHej;bo\r\n"
                      ).encode("cp1252"),
        "draft.md": ("---\ncreator: maja.moves\nplatform: instagram\nbrand: \"@trailfox\"\n---\n"
                     "Tre ture i Rold Skov med de nye løbesko ⛰️\nBrug koden MAJA15\n").encode(),
        "posts.jsonl.gz": gzip.compress(jsonl, mtime=0),
    }


def _fixture_groups() -> dict[str, Path]:
    """Top-level fixture folders: each export, and the drafts."""
    groups = {f"exports/{p.name}": p for p in sorted(EXPORTS.iterdir()) if p.is_dir()}
    groups["drafts"] = DRAFTS
    return groups


GROUPS = _fixture_groups()
SKIP_SUFFIXES = (".jpg", ".html")  # media and HTML exports: not read as posts either way


def _seeds() -> list[str]:
    """``group/relative/path`` of every file worth mutating."""
    seeds = []
    for group, root in GROUPS.items():
        for path in sorted(root.rglob("*")):
            if path.is_file() and not path.name.endswith(SKIP_SUFFIXES):
                seeds.append(f"{group}::{path.relative_to(root).as_posix()}")
    seeds += [f"{GENERATED}::{name}" for name in generated_files()]
    return seeds


SEEDS = _seeds()
EXPORT_GROUPS = [g for g in GROUPS if g.startswith("exports/") and "html" not in g] + [GENERATED]


def materialize(group: str, inputs: Path) -> Path:
    """A copy of one fixture group (or the generated files) in ``inputs``; its folder."""
    if group == GENERATED:
        folder = inputs / GENERATED
        for name, data in generated_files().items():
            (folder / name).parent.mkdir(parents=True, exist_ok=True)
            (folder / name).write_bytes(data)
        return folder
    folder = inputs / Path(group).name
    shutil.copytree(GROUPS[group], folder)
    return folder


# -- mutations -----------------------------------------------------------------------------------
class Mutation(NamedTuple):
    kind: str  # one of MUTATIONS
    at: int  # where: taken modulo the places this kind of mutation applies to
    variant: int  # which variant (depth, replacement, payload...), taken modulo their number
    payload: bytes = b""  # the bytes of "insert"


_NUMBER = re.compile(rb"-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?")
_SPACE = b" \t\r\n"


class Span(NamedTuple):
    start: int
    end: int
    kind: str  # key, string, number, array, object


def json_spans(data: bytes) -> list[Span]:
    """Strings, numbers, arrays and objects in JSON-ish bytes. Tolerant: a broken file still
    gives the spans that can be made out; an unbalanced bracket is left out."""
    spans: list[Span] = []
    stack: list[tuple[int, int]] = []
    i, n = 0, len(data)
    while i < n:
        c = data[i]
        if c == 0x22:  # "
            j = i + 1
            while j < n and data[j] != 0x22:
                j += 2 if data[j] == 0x5C else 1
            end = min(j + 1, n)
            k = end
            while k < n and data[k] in _SPACE:
                k += 1
            spans.append(Span(i, end, "key" if k < n and data[k] == 0x3A else "string"))
            i = end
            continue
        if c in b"[{":
            stack.append((i, c))
        elif c in b"]}":
            if stack and stack[-1][1] == (0x5B if c == 0x5D else 0x7B):
                start, opener = stack.pop()
                spans.append(Span(start, i + 1, "array" if opener == 0x5B else "object"))
        elif c in b"-0123456789" and (i == 0 or data[i - 1] not in b"abcdefABCDEF_0123456789"):
            match = _NUMBER.match(data, i)
            if match:
                spans.append(Span(i, match.end(), "number"))
                i = match.end()
                continue
        i += 1
    return spans


T = TypeVar("T")


def _pick(items: list[T], at: int) -> T:
    return items[at % len(items)]


def _position(data: bytes, at: int) -> int:
    return at % (len(data) + 1)


def _insert(data: bytes, index: int, piece: bytes) -> bytes:
    return data[:index] + piece + data[index:]


def _structural_positions(data: bytes) -> list[int]:
    """Places where a JSON value may start: after ``:``, ``[`` or ``,``."""
    return [i + 1 for i, c in enumerate(data) if c in b":[,"] or [0]


DEPTHS = (64, 1_000, 20_000, 200_000)
SURROGATES = (b"\\ud83c", b"\\udfff", b"\\ud83c\\ud83c", b"\\udc00\\ud800", b"\\ud83c\\u0041",
              b"\\u0000", b"\\ud83", b"\\uZZZZ")
HUGE_NUMBERS = (b"1e300", b"99999999999999999", b"-99999999999999999", b"-1e300", b"1e999",
                b"1e-300", b"NaN", b"-Infinity", b"9" * 400, b"0.0000000000001", b"-0")
INVALID_UTF8 = (b"\xff", b"\xc3\x28", b"\xed\xa0\x80", b"\xf4\x90\x80\x80", b"\x80", b"\xe2\x82",
                b"\xc0\xaf", b"\xfe\xff")
# Values of every JSON type, to put where another type belongs.
TYPE_SWAPS: tuple[tuple[str, bytes], ...] = (
    ("number", b"0"), ("number", b"7"), ("number", b"-1"), ("number", b"3.5"),
    ("literal", b"true"), ("literal", b"false"), ("literal", b"null"),
    ("string", b'""'), ("string", b'"N/A"'), ("string", b'"x"'),
    ("array", b"[]"), ("array", b'[1, "x", null, {}]'), ("array", b"[[[]]]"),
    ("object", b"{}"), ("object", b'{"caption": {"text": 1}, "title": []}'),
)
LONG_TEXT = (70_000, 200_000)  # a caption near and beyond any platform's limit


def _truncate(data: bytes, m: Mutation) -> bytes:
    return data[: _position(data, m.at)]


def _flip(data: bytes, m: Mutation) -> bytes:
    if not data:
        return data
    i = m.at % len(data)
    return data[:i] + bytes([data[i] ^ (m.variant % 255 + 1)]) + data[i + 1:]


def _insert_payload(data: bytes, m: Mutation) -> bytes:
    return _insert(data, _position(data, m.at), m.payload)


def _delete(data: bytes, m: Mutation) -> bytes:
    i = _position(data, m.at)
    return data[:i] + data[i + 1 + m.variant % 64:]


def _corrupt_region(data: bytes, m: Mutation) -> bytes:
    """Scramble up to 512 bytes in a row (a damaged disk block, a bad download)."""
    i = _position(data, m.at)
    size = 1 + m.variant % 512
    return data[:i] + bytes(b ^ 0x5A for b in data[i:i + size]) + data[i + size:]


def _deep_nesting(data: bytes, m: Mutation) -> bytes:
    """``[[[[...`` (unclosed), ``{"a":{"a":...`` (unclosed), or a closed ``[[[...]]]`` in place of
    a value, so that the file stays valid JSON and only the depth is hostile."""
    depth = DEPTHS[m.variant % len(DEPTHS)]
    style = m.variant // len(DEPTHS) % 3
    if style == 2:
        values = [s for s in json_spans(data) if s.kind != "key"]
        if values:
            span = _pick(values, m.at)
            return data[:span.start] + b"[" * depth + b"]" * depth + data[span.end:]
    opener = b"[" if style == 0 else b'{"a":'
    return _insert(data, _pick(_structural_positions(data), m.at), opener * depth)


def _surrogate(data: bytes, m: Mutation) -> bytes:
    """A lone surrogate escape (``\\ud83c``) or a broken ``\\u`` escape inside a string."""
    strings = [s for s in json_spans(data) if s.kind in ("string", "key") and s.end - s.start >= 2]
    piece = SURROGATES[m.variant % len(SURROGATES)]
    if not strings:
        return _insert(data, _position(data, m.at), piece)
    span = _pick(strings, m.at)
    inside = span.start + 1 + (m.at // 7) % (span.end - span.start - 1)
    return _insert(data, inside, piece)


def _huge_number(data: bytes, m: Mutation) -> bytes:
    """A number (a timestamp, mostly) replaced by one out of any range: 1e300, 17 nines, inf."""
    numbers = [s for s in json_spans(data) if s.kind == "number"]
    big = HUGE_NUMBERS[m.variant % len(HUGE_NUMBERS)]
    if not numbers:
        return _insert(data, _pick(_structural_positions(data), m.at), big)
    span = _pick(numbers, m.at)
    return data[:span.start] + big + data[span.end:]


def _cr_only(data: bytes, m: Mutation) -> bytes:
    return data.replace(b"\r\n", b"\n").replace(b"\n", b"\r")


def _nul(data: bytes, m: Mutation) -> bytes:
    return _insert(data, _position(data, m.at), b"\x00" * (1 + m.variant % 3))


def _invalid_utf8(data: bytes, m: Mutation) -> bytes:
    piece = INVALID_UTF8[m.variant % len(INVALID_UTF8)]
    strings = [s for s in json_spans(data) if s.kind == "string" and s.end - s.start >= 2]
    if strings and m.variant // len(INVALID_UTF8) % 2 == 0:  # inside a caption, mostly
        return _insert(data, _pick(strings, m.at).start + 1, piece)
    return _insert(data, _position(data, m.at), piece)


def _csv_quote(data: bytes, m: Mutation) -> bytes:
    """A quote that opens a field and never closes, or one taken out of a quoted field."""
    if m.variant % 2 and b'"' in data:
        quotes = [i for i, c in enumerate(data) if c == 0x22]
        i = _pick(quotes, m.at)
        return data[:i] + data[i + 1:]
    starts = [0] + [i + 1 for i, c in enumerate(data) if c in b",;\t\n\r"]
    return _insert(data, _pick(starts, m.at), b'"')


def _wrong_type(data: bytes, m: Mutation) -> bytes:
    """A value replaced by one of another type: a list by a number, a caption by an object..."""
    values = [s for s in json_spans(data) if s.kind != "key"]
    if not values:
        return _insert(data, _position(data, m.at), TYPE_SWAPS[m.variant % len(TYPE_SWAPS)][1])
    span = _pick(values, m.at)
    others = [v for kind, v in TYPE_SWAPS if kind != span.kind]
    return data[:span.start] + _pick(others, m.variant) + data[span.end:]


def _long_text(data: bytes, m: Mutation) -> bytes:
    strings = [s for s in json_spans(data) if s.kind == "string" and s.end - s.start >= 2]
    filler = b"Tak for gaven @brand " * (LONG_TEXT[m.variant % len(LONG_TEXT)] // 21)
    where = _pick(strings, m.at).start + 1 if strings else _position(data, m.at)
    return _insert(data, where, filler)


MUTATIONS: dict[str, Callable[[bytes, Mutation], bytes]] = {
    "truncate": _truncate, "flip": _flip, "insert": _insert_payload, "delete": _delete,
    "corrupt_region": _corrupt_region, "deep_nesting": _deep_nesting, "surrogate": _surrogate,
    "huge_number": _huge_number, "cr_only": _cr_only, "nul": _nul, "invalid_utf8": _invalid_utf8,
    "csv_quote": _csv_quote, "wrong_type": _wrong_type, "long_text": _long_text,
}
# What can happen to the bytes of a whole archive (the content mutations apply to its members).
ARCHIVE_MUTATIONS = ("truncate", "flip", "insert", "delete", "corrupt_region")


def mutate(data: bytes, mutations: list[Mutation]) -> bytes:
    for m in mutations:
        data = MUTATIONS[m.kind](data, m)
    return data


def mutations(kinds: tuple[str, ...] | list[str] = tuple(MUTATIONS), most: int = 3
              ) -> st.SearchStrategy[list[Mutation]]:
    one = st.builds(Mutation, st.sampled_from(kinds), st.integers(0, 1 << 20),
                    st.integers(0, 1 << 10), st.binary(max_size=8))
    return st.lists(one, min_size=1, max_size=most)


# -- running and checking ------------------------------------------------------------------------
@pytest.fixture(scope="module")
def cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The rule-pack cache, shared by all runs (it is not what these tests are about)."""
    return tmp_path_factory.mktemp("pack-cache")


@pytest.fixture()
def work() -> Iterator[Callable[[], Path]]:
    """Fresh folders for each hypothesis example (tmp_path is one per test, not per example)."""
    made: list[tempfile.TemporaryDirectory[str]] = []

    def new() -> Path:
        made.append(tempfile.TemporaryDirectory(prefix="skjult-fuzz-"))
        return Path(made[-1].name)

    yield new
    for folder in made:
        folder.cleanup()


def assert_contract(paths: list[Path], inputs: Path, root: Path, cache: Path) -> None:
    run = run_in_process(paths, inputs, root / "out", cache, BOUND_S)
    problems = contract_problems(run, BOUND_S)
    if currently_in_test_context():  # hypothesis prints notes with the failing example
        note(describe(run, problems) if problems else f"ok: exit {run.code}, {run.seconds:.2f} s")
    assert not problems, describe(run, problems)


def _write_mutated(inputs: Path, seed: str, changes: list[Mutation], whole: bool) -> Path:
    """The seed's group copied into ``inputs`` with the seed file mutated; the path to check."""
    group, relative = seed.split("::")
    folder = materialize(group, inputs)
    target = folder / relative
    target.write_bytes(mutate(target.read_bytes(), changes))
    return folder if whole else target


@settings(BASE, max_examples=30)
@given(seed=st.sampled_from(SEEDS), whole=st.booleans(), changes=mutations())
def test_mutated_files(seed: str, whole: bool, changes: list[Mutation],
                       work: Callable[[], Path], cache: Path) -> None:
    """One file of an export (or a generated file) damaged; checked alone or with its folder."""
    root = work()
    inputs = root / "in"
    path = _write_mutated(inputs, seed, changes, whole)
    assert_contract([path], inputs, root, cache)


def zip_folder(folder: Path, target: Path, method: int) -> Path:
    with zipfile.ZipFile(target, "w", method) as archive:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                archive.write(path, f"{folder.name}/{path.relative_to(folder).as_posix()}")
    return target


@settings(BASE, max_examples=15)
@given(group=st.sampled_from(EXPORT_GROUPS), deflated=st.booleans(), in_member=st.booleans(),
       member=st.integers(0, 1 << 10), changes=mutations(),
       damage=mutations(ARCHIVE_MUTATIONS))
def test_mutated_zips(group: str, deflated: bool, in_member: bool, member: int,
                      changes: list[Mutation], damage: list[Mutation], work: Callable[[], Path],
                      cache: Path) -> None:
    """An export zipped, then either the archive's bytes damaged (the middle, the end, the
    central directory) by ``damage`` or, with ``in_member``, the content of its ``member``-th
    file by ``changes``."""
    root = work()
    staging, inputs = root / "staging", root / "in"
    inputs.mkdir()
    folder = materialize(group, staging)
    if in_member:
        seed = _pick([s for s in SEEDS if s.startswith(f"{group}::")], member)
        target = folder / seed.split("::")[1]
        target.write_bytes(mutate(target.read_bytes(), changes))
    archive = zip_folder(folder, inputs / f"{folder.name}.zip",
                         zipfile.ZIP_DEFLATED if deflated else zipfile.ZIP_STORED)
    if not in_member:
        archive.write_bytes(mutate(archive.read_bytes(), damage))
    assert_contract([archive], inputs, root, cache)


# Records whose fields hold anything JSON can: wrong types, huge numbers, lone surrogates.
FIELDS = ("caption", "text", "description", "title", "id", "creator", "username", "author",
          "platform", "created_at", "timestamp", "url", "paid_partnership", "audience", "brand")
_scalars = (st.none() | st.booleans() | st.integers(-(10**20), 10**20)
            | st.floats(allow_nan=False, allow_infinity=False)
            | st.sampled_from([1e300, -1e300, 99999999999999999, 1727337600, "N/A", "ja", "minors",
                               "Tak for gaven @brand \ud83c", "\udfff"])
            | st.text(st.characters(codec=None, exclude_categories=()), max_size=30))
_values = st.recursive(_scalars, lambda inner: st.lists(inner, max_size=3)
                       | st.dictionaries(st.sampled_from(FIELDS) | st.text(max_size=5), inner,
                                         max_size=3), max_leaves=8)
_records = st.one_of(st.dictionaries(st.sampled_from(FIELDS), _values, max_size=6), _values)


def encode_records(records: list[Any], layout: str, ascii_only: bool) -> tuple[str, bytes]:
    """Records as a JSONL, JSON or CSV file (file name, bytes). Lone surrogates that UTF-8
    cannot hold are written as JSON escapes (``ascii_only``) or replaced (CSV)."""
    if layout == "csv":
        buffer = io.StringIO()
        buffer.write(",".join(FIELDS) + "\n")
        for record in records:
            row = record if isinstance(record, dict) else {"caption": record}
            cells = ['"' + str(row.get(f, "")).replace('"', '""') + '"' for f in FIELDS]
            buffer.write(",".join(cells) + "\n")
        return "records.csv", buffer.getvalue().encode("utf-8", errors="replace")
    if layout == "jsonl":
        text = "".join(json.dumps(r, ensure_ascii=ascii_only) + "\n" for r in records)
        return "records.jsonl", text.encode("utf-8", errors="surrogatepass")
    text = json.dumps({"data": records}, ensure_ascii=ascii_only)
    return "records.json", text.encode("utf-8", errors="surrogatepass")


@settings(BASE, max_examples=15)
@given(records=st.lists(_records, min_size=1, max_size=6),
       layout=st.sampled_from(["jsonl", "json", "csv"]), ascii_only=st.booleans())
def test_records_of_wrong_types(records: list[Any], layout: str, ascii_only: bool,
                                work: Callable[[], Path], cache: Path) -> None:
    """Valid JSON (or CSV) whose records hold the wrong types in every field. Without
    ``ascii_only`` a lone surrogate is written as its (invalid) UTF-8 bytes, ``\\xed\\xa0\\xbc``."""
    root = work()
    inputs = root / "in"
    inputs.mkdir()
    name, data = encode_records(records, layout, ascii_only)
    (inputs / name).write_bytes(data)
    assert_contract([inputs / name], inputs, root, cache)


# -- named hostile inputs: one minimal reproducer per kind of damage ----------------------------
Build = Callable[[Path], list[Path]]  # writes the input into a folder; the paths to check
SOFIE = "instagram-sofie.strand-2025-10-02-Xy12Ab"
SOFIE_POSTS = f"{SOFIE}/your_instagram_activity/media/posts_1.json"
FIXTURE_JSON = (SOFIE_POSTS, "tiktok-2025/user_data_tiktok.json",
                "facebook-karenholm-2025-09-30-Zz9yX/your_facebook_activity/posts/"
                "your_posts__check_ins__photos_and_videos_1.json",
                "youtube-api/videos.json", "apify/instagram-scraper.json", "graph/media.json",
                "mcl/posts.json")


def _files(files: dict[str, bytes]) -> Build:
    def build(inputs: Path) -> list[Path]:
        for name, data in files.items():
            (inputs / name).write_bytes(data)
        return [inputs / name for name in files]

    return build


def _export(file: str, change: Callable[[bytes], bytes], whole: bool = True) -> Build:
    """A fixture export copied with one of its files changed; the export folder is checked."""

    def build(inputs: Path) -> list[Path]:
        top = file.split("/")[0]
        shutil.copytree(EXPORTS / top, inputs / top)
        (inputs / file).write_bytes(change((inputs / file).read_bytes()))
        return [inputs / top] if whole else [inputs / file]

    return build


def _zipped(top: str, change: Callable[[zipfile.ZipFile, bytes], bytes],
            method: int = zipfile.ZIP_DEFLATED) -> Build:
    """A fixture export zipped; ``change(archive, bytes)`` damages the zip's bytes."""

    def build(inputs: Path) -> list[Path]:
        target = zip_folder(EXPORTS / top, inputs / f"{top}.zip", method)
        with zipfile.ZipFile(target) as archive:
            damaged = change(archive, target.read_bytes())
        target.write_bytes(damaged)
        return [target]

    return build


def _member_data_middle(archive: zipfile.ZipFile, data: bytes) -> bytes:
    """Scramble 16 bytes in the middle of the largest member's compressed data: the central
    directory is intact, the deflate stream (or the CRC) is not."""
    info = max(archive.infolist(), key=lambda i: i.compress_size)
    local = info.header_offset
    name_len, extra_len = int.from_bytes(data[local + 26:local + 28], "little"), \
        int.from_bytes(data[local + 28:local + 30], "little")
    middle = local + 30 + name_len + extra_len + info.compress_size // 2
    return data[:middle] + bytes(b ^ 0xA5 for b in data[middle:middle + 16]) + data[middle + 16:]


def _central_directory(archive: zipfile.ZipFile, data: bytes) -> bytes:
    start = data.rfind(b"PK\x01\x02")
    return data[:start + 20] + b"\xff" * 24 + data[start + 44:]


def _json_map(change: Callable[[Any, bool], Any]) -> Callable[[bytes], bytes]:
    """Re-encode a JSON file with ``change(value, top)`` applied to every value below the top."""

    def walk(value: Any, top: bool) -> Any:
        if isinstance(value, dict):
            value = {k: walk(v, False) for k, v in value.items()}
        elif isinstance(value, list):
            value = [walk(v, False) for v in value]
        return value if top else change(value, top)

    return lambda data: json.dumps(walk(json.loads(data), True)).encode("utf-8")


def _replace_numbers(big: bytes) -> Callable[[bytes], bytes]:
    """Every integer of 9 or more digits (the Unix timestamps) replaced by ``big``."""
    return lambda data: re.sub(rb"(?<![\w.\"])\d{9,}(?![\w.\"])", big, data)


_deep = b"[" * 100_000 + b"]" * 100_000
_valid_lines = _jsonl([{"creator": "anne", "caption": f"Post nummer {i} om kaffe"} for i in range(2000)])
_csv_head = b"caption,creator\n"

HOSTILE: dict[str, Build] = {
    # deep nesting: the decoder's recursion limit
    "deep-open-json": _files({"posts.json": b"[" * 200_000}),
    "deep-open-jsonl": _files({"posts.jsonl": b'{"caption": "hej", "x": ' + b"[" * 200_000 + b"\n"}),
    "deep-balanced-json-item": _files({"posts.json": b'[{"caption": "Tak @brand"}, ' + _deep + b"]"}),
    "deep-balanced-json-field": _files(
        {"posts.json": b'[{"caption": "Tak for gaven @brand", "extra": ' + _deep + b"}]"}),
    "deep-balanced-jsonl-objects": _files(
        {"posts.jsonl": b'{"caption": "hej", "flags": ' + b'{"a":' * 50_000 + b"1" + b"}" * 50_000
         + b"}\n" + _jsonl(_POSTS)}),
    "deep-balanced-instagram": _export(SOFIE_POSTS, lambda d: d.replace(b"[", b"[" + _deep + b",", 1)),
    "deep-balanced-instagram-title": _export(
        SOFIE_POSTS, lambda d: d.replace(b'"title": "Mine', b'"title": ' + _deep + b', "x": "Mine', 1)),
    "deep-balanced-tiktok-title": _export(
        "tiktok-2025/user_data_tiktok.json", lambda d: d.replace(b'"Title": ', b'"Title": ' + _deep
                                                               + b', "T": ', 1)),
    "deep-balanced-youtube-api": _export(
        "youtube-api/videos.json", lambda d: d.replace(b'"snippet": {', b'"snippet": {"tags": '
                                                       + _deep + b",", 1)),
    # lone surrogates: text Python can hold but UTF-8 output cannot
    "surrogate-jsonl": _files({"posts.jsonl": b'{"caption": "Tak for gaven @brand \\ud83c", "creator": '
                               b'"anne"}\n{"caption": "ok \\ud83c\\ud83c #ad", "creator": "\\udfff", '
                               b'"id": "\\udc00"}\n'}),
    "surrogate-csv-bytes": _files({"posts.csv": _csv_head + b"Tak for gaven \xed\xa0\xbc @brand,anne\n"}),
    "surrogate-instagram-title": _export(
        SOFIE_POSTS, lambda d: d.replace(b'"title": "Mine', b'"title": "\\ud83cMine', 1)),
    "surrogate-instagram-mojibake": _export(
        SOFIE_POSTS, lambda d: d.replace(b"\\u00c3\\u00b8", b"\\u00c3\\ud83c", 1)),
    "surrogate-tiktok-title": _export(
        "tiktok-2025/user_data_tiktok.json", lambda d: d.replace(b'"Title": "', b'"Title": "\\udfff', 1)),
    "surrogate-draft-front-matter": _files(
        {"draft.md": b'---\ncreator: "\\ud83c"\nbrand: "@x\\udfff"\n---\nTak for gaven\n'}),
    # numbers out of range where timestamps belong
    "huge-numbers-jsonl": _files({"posts.jsonl": b"".join(
        b'{"caption": "Tak @brand", "created_at": ' + n + b', "timestamp": ' + n + b"}\n"
        for n in HUGE_NUMBERS)}),
    **{f"huge-timestamps-{big.decode()[:8]}-{file.split('/')[0]}": _export(file, _replace_numbers(big))
       for file in FIXTURE_JSON for big in (b"1e300", b"99999999999999999")},
    "huge-timestamps-csv": _files({"posts.csv": b"caption,creator,created_at,timestamp\n"
                                   b"Tak @brand,anne,1e300,99999999999999999\n"
                                   b"Hej,bo,-99999999999999999,1e999\n"}),
    # a caption well below any platform's limit (Facebook: 63,206) made of one long run of
    # punctuation and emoji, without a space: the tokenizer's suffix search is quadratic on it
    "long-punctuation-run-caption": _files({"posts.jsonl": json.dumps(
        {"creator": "anne", "caption": "Tak for gaven @brand " + "🎉!" * 8_000}).encode() + b"\n"}),
    # line endings
    "cr-only-jsonl": _files({"posts.jsonl": _jsonl(_POSTS).replace(b"\n", b"\r")}),
    "cr-only-csv": _files({"posts.csv": b'caption,creator\r"Tak for gaven\rmed to linjer",anne\rHej,bo\r'}),
    "cr-only-tiktok": _export("tiktok-2025/user_data_tiktok.json", lambda d: d.replace(b"\n", b"\r")),
    # NUL bytes after the 8 KB that binary detection looks at
    "nul-late-jsonl": _files({"posts.jsonl": _valid_lines + b'{"caption": "Tak\x00 @brand", "creator": '
                              b'"x"}\n\x00\x00\x00\n' + _jsonl(_POSTS)}),
    "nul-late-csv": _files({"posts.csv": _csv_head + b"Hej med dig,anne\n" * 600 + b"Tak\x00for,bo\n"}),
    "nul-early-jsonl": _files({"posts.jsonl": b'{"caption": "\x00"}\n'}),
    # invalid UTF-8 after the 64 KB that encoding detection looks at, and early
    "invalid-utf8-late-jsonl": _files({"posts.jsonl": _valid_lines * 3 + b'{"caption": "Tak \xff\xfe for '
                                       b'gaven @brand", "creator": "\xc3\x28"}\n' + _jsonl(_POSTS)}),
    "invalid-utf8-instagram": _export(SOFIE_POSTS, lambda d: d.replace(b"Mine", b"Mi\xed\xa0\x80ne", 1)),
    "utf16-truncated": _files({"posts.jsonl": codecs.BOM_UTF16_LE + _jsonl(_POSTS).decode()
                               .encode("utf-16-le")[:-1]}),
    # CSV quotes
    "csv-unclosed-quote": _files({"posts.csv": _csv_head + b'"Tak for gaven @brand,anne\nHej,bo\n'
                                  + b"Kaffe,cille\n" * 5}),
    "csv-unclosed-quote-last": _files({"posts.csv": _csv_head + b'Hej,bo\n"Tak for gaven @brand,anne\n'}),
    "csv-quote-mid-field": _files({"posts.csv": _csv_head + b'Tak "for" gaven,anne\n"a"b,bo\n'}),
    "csv-only-quote": _files({"posts.csv": b'"'}),
    # values of the wrong type
    "wrong-types-jsonl": _files({"posts.jsonl": b'{"caption": ["Tak", "@brand"], "creator": "a"}\n'
                                 b'{"caption": 7}\n{"caption": {"text": "hej"}}\n'
                                 b'{"caption": "hej", "creator": {"name": 1}, "created_at": [1], '
                                 b'"paid_partnership": {"x": 1}, "audience": 5, "brand": []}\n'
                                 b'7\n[1, 2]\n"just a string"\nnull\n'}),
    "wrong-types-json-wrapper": _files({"posts.json": b'{"posts": 7, "data": "x", "items": {"a": 1}}'}),
    **{f"{name}-{file.split('/')[0]}": _export(file, _json_map(change))
       for file in FIXTURE_JSON
       for name, change in (
           ("lists-to-numbers", lambda v, top: 7 if isinstance(v, list) else v),
           ("strings-to-objects", lambda v, top: {"text": v} if isinstance(v, str) else v),
           ("objects-to-lists", lambda v, top: list(v.values()) if isinstance(v, dict) else v))},
    # archives and compression
    "zip-truncated": _zipped(SOFIE, lambda archive, data: data[: len(data) // 2]),
    "zip-corrupt-deflate-stream": _zipped(SOFIE, _member_data_middle),
    "zip-corrupt-stored-member": _zipped(SOFIE, _member_data_middle, zipfile.ZIP_STORED),
    "zip-corrupt-central-directory": _zipped(SOFIE, _central_directory),
    "zip-empty": _files({"empty.zip": b"PK\x05\x06" + b"\x00" * 18}),
    "gz-truncated": _files({"posts.jsonl.gz": gzip.compress(_valid_lines, mtime=0)[:4000]}),
    "gz-corrupt-middle": _files({"posts.jsonl.gz": (lambda g: g[:2000] + b"\xa5" * 32 + g[2032:])(
        gzip.compress(_valid_lines, mtime=0))}),
    "gz-header-only": _files({"posts.jsonl.gz": gzip.compress(b"", mtime=0)[:10]}),
    "xz-corrupt-instaloader": _export(
        "instaloader/mads.mad/2025-04-07_04-26-40_UTC.json.xz", lambda d: d[:40] + b"\x00" * 8 + d[48:]),
    "xz-truncated-json": _files({"posts.json.xz": lzma.compress(json.dumps(_POSTS).encode())[:60]}),
    # empty and nearly empty
    "empty-file": _files({"posts.jsonl": b""}),
    "whitespace-only": _files({"posts.json": b" \r\n\t\n"}),
    "bom-only": _files({"posts.csv": codecs.BOM_UTF8}),
    "header-only-csv": _files({"posts.csv": _csv_head}),
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_input(name: str, tmp_path: Path, cache: Path) -> None:
    inputs = tmp_path / "in"
    inputs.mkdir()
    paths = HOSTILE[name](inputs)
    assert_contract(paths, inputs, tmp_path, cache)


# A few in a fresh interpreter: a crash of Python itself (a C stack overflow on deep nesting)
# would end pytest if run in-process, and here shows as a negative return code.
@pytest.mark.parametrize("name", ["deep-balanced-json-item", "surrogate-jsonl",
                                  "zip-corrupt-deflate-stream"])
def test_hostile_input_in_subprocess(name: str, tmp_path: Path) -> None:
    inputs = tmp_path / "in"
    inputs.mkdir()
    paths = HOSTILE[name](inputs)
    run = run_subprocess(paths, inputs, tmp_path / "out", timeout=BOUND_S + 30)
    problems = contract_problems(run, BOUND_S + 30)  # a fresh interpreter loads spaCy first
    assert not problems, describe(run, problems)


def test_write_watch_sees_writes(tmp_path: Path) -> None:
    """The guard itself: a write outside the allowed folder is recorded, one inside is not
    (so the "nothing written elsewhere" invariant above cannot pass vacuously)."""
    allowed, elsewhere = tmp_path / "out", tmp_path / "elsewhere"
    allowed.mkdir()
    elsewhere.mkdir()
    with WriteWatch([allowed]) as watch:
        (allowed / "report.json").write_text("{}")
        (elsewhere / "stray.txt").write_text("x")
        (elsewhere / "stray.txt").rename(elsewhere / "moved.txt")
    assert watch.writes == [f"open {elsewhere / 'stray.txt'}", f"os.rename {elsewhere / 'stray.txt'}",
                            f"os.rename {elsewhere / 'moved.txt'}"]
