"""Each reader module declares its input format (``readers/format.py``); ``readers/detect.py``
only lists the declarations and tries what they declare. These tests pin the registry (names,
order, the order detection tries signatures in, which is the order of the tables detect.py held
before the formats declared themselves) and show that a new source is one module: a format
declared here, in the test, is found in files, CSV headers and folders, and read, by the
unchanged detection code."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from skjult.items import Opened, Unreadable
from skjult.model import Post
from skjult.readers import detect
from skjult.readers.base import Item, ReadOptions, guarded
from skjult.readers.detect import FORMATS, REGISTRY, Registry, read_path
from skjult.readers.document import Document, file_document
from skjult.readers.errors import RecordError
from skjult.readers.format import (
    CsvHeader,
    InputFormat,
    JsonSignature,
    Marker,
    below_root,
    keys,
)
from skjult.readers.generic import read_records
from skjult.readers.tree import Tree

# The display order of `skjult formats` (and of FORMATS), as it was before the refactor.
LISTED = ["instagram", "facebook", "tiktok", "youtube-takeout", "youtube-api", "apify-instagram",
          "apify-tiktok", "instaloader", "instagram-graph", "meta-content-library", "crowdtangle",
          "jsonl", "json", "csv", "parquet", "draft", "text"]


# -- the registry as it is ------------------------------------------------------------------------
def test_every_format_has_a_name_a_title_and_what_to_hand_in() -> None:
    for fmt in REGISTRY.formats.values():
        assert re.fullmatch(r"[a-z][a-z0-9-]*", fmt.name), fmt.name  # usable as a CLI choice
        assert fmt.title.strip() and fmt.hand_in.strip(), fmt.name
        assert fmt.read_file is not None or fmt.read_tree is not None, fmt.name


def test_names_are_unique_and_formats_keeps_the_registry_order() -> None:
    assert FORMATS is REGISTRY.formats
    assert list(FORMATS) == LISTED
    assert [f.name for f in FORMATS.values()] == list(FORMATS)  # each listed under its own name


def test_detection_tries_signatures_in_the_order_of_the_old_tables() -> None:
    # the order of detect.py's EXPORT_MARKERS (then the legacy media.json), JSON_SIGNATURES and
    # _csv_format: a change of rank that reorders them changes which format wins a tie
    assert [name for name, _ in REGISTRY.markers] == [
        "instagram", "facebook", "tiktok", "youtube-takeout", "instaloader", "instagram"]
    assert [name for name, _ in REGISTRY.json_signatures] == [
        "facebook", "instagram", "instagram", "instagram", "tiktok", "instaloader", "youtube-api",
        "apify-instagram", "apify-tiktok", "meta-content-library", "instagram-graph"]
    assert [name for name, _ in REGISTRY.csv_headers] == [
        "youtube-takeout", "crowdtangle", "apify-tiktok", "apify-instagram",
        "meta-content-library", "instagram-graph"]
    assert [f.name for f in REGISTRY.by_suffix] == ["parquet", "draft"]
    assert [f.name for f in REGISTRY.by_magic] == ["parquet"]


def test_no_two_formats_claim_the_same_extension() -> None:
    claimed = [s for f in REGISTRY.formats.values() for s in f.suffixes]
    assert len(claimed) == len(set(claimed))
    assert all(s == s.lower() and s.startswith(".") for s in claimed)  # compared to lowercase


def test_a_registry_refuses_what_could_not_work() -> None:
    listed = tuple(REGISTRY.formats.values())
    with pytest.raises(ValueError, match="two input formats are named 'json'"):
        Registry((*listed, FORMATS["json"]))
    with pytest.raises(ValueError, match="generic formats"):
        Registry(f for f in listed if f.name != "text")
    with pytest.raises(ValueError, match="neither read_file nor read_tree"):
        InputFormat("nothing", "title", "hand in")
    with pytest.raises(ValueError, match="no read_tree"):
        InputFormat("half", "title", "hand in", read_file=_read_notes,
                    markers=(Marker(10, below_root("x")),))
    with pytest.raises(ValueError, match="root"):
        Marker(10, re.compile("no-root-group"))
    with pytest.raises(ValueError, match="at least one pattern"):
        JsonSignature(10)


# -- a new source, declared here and nowhere else --------------------------------------------------
# What a module readers/fakenotes.py would hold: its reader and its declaration.
FAKE = "fake-notes"
NOTES_FILE = r"fake_notes/notes_\d+\.json"


def _convert_note(record: Any, options: ReadOptions) -> Post:
    if not isinstance(record, dict) or not isinstance(record.get("fakeNoteText"), str):
        raise RecordError("expected an object with fakeNoteText")
    return Post(text=record["fakeNoteText"], creator=record.get("fakeNoteAuthor"), platform="fake")


def _read_notes(doc: Document, options: ReadOptions) -> Iterator[Item]:
    yield from read_records(doc, options, FAKE, _convert_note, "fake notes")


def _read_notes_tree(tree: Tree, root: str, options: ReadOptions) -> Iterator[Item]:
    for member in tree.find(NOTES_FILE, root):
        doc = tree.document(member)
        yield from guarded(doc.name, _read_notes(doc, options), doc)


def fake_format(json_rank: int = 55) -> InputFormat:
    return InputFormat(
        name=FAKE, title="Fake notes export (JSON or CSV)", hand_in="notes_1.json or its folder",
        read_file=_read_notes, read_tree=_read_notes_tree,
        markers=(Marker(60, below_root(NOTES_FILE)),),
        json_signatures=(JsonSignature(json_rank, any_of=keys("fakeNoteText")),),
        csv_header=CsvHeader(70, lambda header: "fakeNoteText" in header),
        suffixes=(".fakenote",))


@pytest.fixture
def with_fake(monkeypatch: pytest.MonkeyPatch) -> Registry:
    """The real registry with the fake format added at its end, as the one detection uses."""
    registry = Registry((*REGISTRY.formats.values(), fake_format()))
    monkeypatch.setattr(detect, "REGISTRY", registry)
    return registry


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def _detected(registry: Registry, path: Path) -> str:
    doc = file_document(str(path))
    try:
        return registry.detect(doc)
    finally:
        doc.close()


NOTES = json.dumps([{"fakeNoteText": "Brug koden NOTE10", "fakeNoteAuthor": "ane"}])


def test_a_new_format_is_detected_by_its_own_declaration(tmp_path: Path) -> None:
    extended = Registry((*REGISTRY.formats.values(), fake_format()))
    as_json = _write(tmp_path / "notes.json", NOTES)
    as_csv = _write(tmp_path / "notes.csv", "fakeNoteText,fakeNoteAuthor\nBrug koden NOTE10,ane\n")
    by_name = _write(tmp_path / "x.fakenote", "anything at all")
    assert [_detected(REGISTRY, p) for p in (as_json, as_csv, by_name)] == ["json", "csv", "text"]
    assert [_detected(extended, p) for p in (as_json, as_csv, by_name)] == [FAKE, FAKE, FAKE]
    assert list(extended.formats)[:-1] == LISTED and list(extended.formats)[-1] == FAKE


def test_rank_decides_between_two_signatures_that_both_match(tmp_path: Path) -> None:
    # a file with Facebook's signature (rank 10) and the fake one: the lower rank wins
    both = _write(tmp_path / "both.json", json.dumps(
        {"timestamp": 1, "data": [{"post": "x"}], "fakeNoteText": "y"}))
    before = Registry((*REGISTRY.formats.values(), fake_format(json_rank=5)))
    after = Registry((*REGISTRY.formats.values(), fake_format(json_rank=55)))
    assert _detected(before, both) == FAKE
    assert _detected(after, both) == "facebook"


def test_a_new_format_is_read_from_a_file_and_from_a_folder(tmp_path: Path,
                                                            with_fake: Registry) -> None:
    lone = _write(tmp_path / "lone" / "notes.json", NOTES)
    items = list(read_path(str(lone)))
    assert [i.format for i in items if isinstance(i, Opened)] == [FAKE]
    assert [(p.text, p.creator) for p in items if isinstance(p, Post)] == \
        [("Brug koden NOTE10", "ane")]
    # in a folder the marker claims the export's root, so its files are not read again as JSON
    export = tmp_path / "export"
    _write(export / "fake_notes" / "notes_1.json", NOTES)
    _write(export / "fake_notes" / "notes_2.json", NOTES.replace("NOTE10", "NOTE20"))
    _write(export / "fake_notes" / "settings.json", json.dumps({"caption": "not a post"}))
    items = list(read_path(str(export)))
    assert not [i for i in items if isinstance(i, Unreadable)]
    assert [p.text for p in items if isinstance(p, Post)] == ["Brug koden NOTE10",
                                                              "Brug koden NOTE20"]
    assert {i.format for i in items if isinstance(i, Opened)} == {FAKE}


def test_a_new_format_can_be_forced_and_is_unknown_without_its_declaration(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    plain = _write(tmp_path / "plain.json", json.dumps([{"fakeNoteText": "hej"}]))
    items = list(read_path(str(plain), input_format=FAKE))
    assert len(items) == 1 and isinstance(items[0], Unreadable)  # the real registry lacks it
    assert "unknown input format" in items[0].message
    monkeypatch.setattr(detect, "REGISTRY", Registry((*REGISTRY.formats.values(), fake_format())))
    items = list(read_path(str(plain), input_format=FAKE))
    assert [p.text for p in items if isinstance(p, Post)] == ["hej"]
