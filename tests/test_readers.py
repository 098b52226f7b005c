"""Generic inputs: JSON Lines, JSON arrays, CSV as Danish Excel writes it; broken records."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from skjult.items import Opened, Skip, Unreadable
from skjult.model import Post
from skjult.readers.base import ReadOptions
from skjult.readers.detect import read_path


def items(path: Path, **kwargs: object) -> list[Post | Skip | Unreadable]:
    """What a reader yields, without the ``Opened`` markers."""
    return [i for i in read_path(str(path), **kwargs)  # type: ignore[arg-type]
            if not isinstance(i, Opened)]


def test_jsonl_with_a_broken_line(tmp_path: Path) -> None:
    path = tmp_path / "posts.jsonl"
    path.write_text(
        '{"id": "1", "caption": "Reklame for @a", "username": "anne"}\n'
        '{"id": "2", "caption": "broken\n'
        "\n"
        '{"id": "3", "text": "Nye sko", "owner": "bo", "paid_partnership": "ja"}\n'
        '{"id": "4", "likes": 3}\n',
        encoding="utf-8",
    )
    got = items(path)
    assert [type(i).__name__ for i in got] == ["Post", "Skip", "Post", "Skip"]
    first, skip, third, no_caption = got
    assert isinstance(first, Post) and first.creator == "anne"
    assert isinstance(skip, Skip) and skip.position == "line 2" and "invalid JSON" in skip.reason
    assert isinstance(third, Post) and third.meta.stated() == {"paid_partnership": True}
    assert isinstance(no_caption, Skip) and "no caption" in no_caption.reason


def test_json_array_is_read_item_by_item(tmp_path: Path) -> None:
    records = [{"caption": f"opslag {i} æøå", "creator": f"c{i % 3}"} for i in range(5000)]
    path = tmp_path / "posts.json"
    path.write_text(json.dumps(records, ensure_ascii=False, indent=1), encoding="utf-8")
    got = items(path)
    assert len(got) == 5000 and all(isinstance(p, Post) for p in got)
    assert got[4999].text == "opslag 4999 æøå"  # type: ignore[union-attr]


def test_truncated_json_array_keeps_what_it_read(tmp_path: Path) -> None:
    path = tmp_path / "posts.json"
    path.write_text('[{"caption": "a"}, {"caption": "b"}, {"capt', encoding="utf-8")
    got = items(path)
    assert [type(i).__name__ for i in got] == ["Post", "Post", "Skip"]


def test_json_object_wrapping_a_list(tmp_path: Path) -> None:
    path = tmp_path / "posts.json"
    path.write_text('{"data": [{"caption": "a"}, {"caption": "b"}]}', encoding="utf-8")
    assert len(items(path)) == 2


def test_semicolon_csv_with_bom_and_quoted_newlines(tmp_path: Path) -> None:
    path = tmp_path / "eksport.csv"
    text = ('Tekst;Profil;Dato\r\n"Reklame for @a\r\nlinje to";mette;2026-01-02\r\n'
            '"Nye sko";jens;2026-01-03\r\n')
    path.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    got = items(path, options=ReadOptions(mapping={"caption": "Tekst", "creator": "Profil"}))
    assert [p.creator for p in got] == ["mette", "jens"]  # type: ignore[union-attr]
    assert got[0].text == "Reklame for @a\r\nlinje to"  # type: ignore[union-attr]
    assert got[1].source.endswith("line 4")  # type: ignore[union-attr]


def test_cp1252_csv_from_danish_excel(tmp_path: Path) -> None:
    path = tmp_path / "eksport.csv"
    path.write_bytes("caption;creator\nSøde æbler fra gården;bøgh\n".encode("cp1252"))
    [post] = items(path)
    assert isinstance(post, Post) and post.text == "Søde æbler fra gården" and post.creator == "bøgh"


def test_csv_row_with_too_many_fields_is_skipped(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text("caption,creator\nhej,a\nhej,b,extra\n", encoding="utf-8")
    got = items(path)
    assert isinstance(got[1], Skip) and got[1].position == "line 3"


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (b"", "empty file"),
        (b"\x00\x01\x02binary", "binary"),
        (b"just some words", "unknown format"),
    ],
)
def test_unreadable_files_are_reported_not_raised(tmp_path: Path, content: bytes,
                                                  words: str) -> None:
    path = tmp_path / "posts.dat"
    path.write_bytes(content)
    [problem] = items(path)
    assert isinstance(problem, Unreadable) and words in problem.message
    assert problem.file == str(path)


def test_missing_file(tmp_path: Path) -> None:
    [problem] = items(tmp_path / "nope.jsonl")
    assert isinstance(problem, Unreadable) and "no such file" in problem.message


def test_bad_metadata_is_a_skip(tmp_path: Path) -> None:
    path = tmp_path / "p.jsonl"
    path.write_text('{"caption": "x", "audience": "teens"}\n', encoding="utf-8")
    [skip] = items(path)
    assert isinstance(skip, Skip) and "audience" in skip.reason
