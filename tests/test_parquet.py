"""Parquet in and out (``skjult[parquet]``): read row group by row group with the columns named
as in CSV (nested ones by dotted path), recognised by content, broken files and missing columns
as clear errors; ``--format parquet`` writes one typed row per post that gives back the jsonl
record byte for byte."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

pa = pytest.importorskip("pyarrow") if not os.environ.get("SKJULT_REQUIRE_CLUSTER") else \
    __import__("pyarrow")
import pyarrow.parquet as pq  # noqa: E402

from skjult.cli import main  # noqa: E402
from skjult.report.parquet_format import ROWS  # noqa: E402
from skjult.tabular import NAMES, record_of  # noqa: E402

sys.path.insert(0, str(Path(__file__).parent))
from sweep_posts import posts  # noqa: E402


def run(*args: str, stdin: bytes | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["check", "--no-config", "--no-progress", "--lang", "en",
                                       *args], input=stdin)
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr, \
        result.stderr
    return result.exit_code, result.stdout, result.stderr


def write_parquet(path: Path, records: list[dict[str, Any]], rows_per_group: int = 50) -> Path:
    pq.write_table(pa.Table.from_pylist(records), path, row_group_size=rows_per_group)
    return path


def write_jsonl(path: Path, records: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records),
                    encoding="utf-8")
    return path


def without_source(record: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in record.items() if k != "source"}


# -- reading --------------------------------------------------------------------------------------
def test_a_file_of_several_row_groups_gives_the_verdicts_of_the_same_posts_as_json_lines(
        tmp_path: Path) -> None:
    records = posts(240)
    table = write_parquet(tmp_path / "posts.parquet", records, rows_per_group=50)
    assert pq.ParquetFile(table).num_row_groups == 5
    lines = write_jsonl(tmp_path / "posts.jsonl", records)
    code_p, out_p, _ = run(str(table), "--map", "caption=text", "--map", "creator=user",
                           "--format", "jsonl", "-q")
    code_j, out_j, _ = run(str(lines), "--map", "caption=text", "--map", "creator=user",
                           "--format", "jsonl", "-q")
    from_parquet = [json.loads(line) for line in out_p.splitlines()]
    from_jsonl = [json.loads(line) for line in out_j.splitlines()]
    assert code_p == code_j == 1
    assert len(from_parquet) == 238  # two records have no text
    assert [without_source(r) for r in from_parquet] == [without_source(r) for r in from_jsonl]
    # the place of a post is its row, counted across row groups
    assert from_parquet[-1]["source"].endswith("posts.parquet:row 240")
    assert from_jsonl[-1]["source"].endswith("posts.jsonl:line 240")


def test_read_equals_checked_plus_skipped_and_skips_name_their_row(tmp_path: Path) -> None:
    table = write_parquet(tmp_path / "posts.parquet", posts(60))
    _code, out, _ = run(str(table), "--map", "caption=text", "--format", "json")
    report = json.loads(out)
    totals = report["files"][str(table)]
    assert totals == {"format": "parquet", "read": 60, "checked": 58, "skipped": 2,
                      "no_text": 2, "error": None}
    assert [s["position"] for s in report["skips"]] == ["row 8", "row 12"]


def test_parquet_is_recognised_by_its_content_whatever_the_name(tmp_path: Path) -> None:
    table = write_parquet(tmp_path / "export.data", posts(20))
    _code, out, _err = run(str(table), "--map", "caption=text", "--format", "json")
    assert json.loads(out)["files"][str(table)]["format"] == "parquet"
    assert json.loads(out)["totals"]["checked"] == 18


def test_nested_columns_are_named_by_dotted_path_and_timestamps_read_as_iso(
        tmp_path: Path) -> None:
    records = [{"post": {"body": r["text"], "author": {"handle": r["user"]}},
                "posted": dt.datetime(2025, 3, 1 + n, 9, 30, tzinfo=dt.UTC)}
               for n, r in enumerate(posts(12)) if r["text"]]
    table = write_parquet(tmp_path / "nested.parquet", records)
    _code, out, err = run(str(table), "--map", "caption=post.body",
                         "--map", "creator=post.author.handle", "--map", "created_at=posted",
                         "--format", "jsonl")
    results = [json.loads(line) for line in out.splitlines()]
    assert len(results) == 10
    assert results[0]["caption"] == records[0]["post"]["body"]
    assert results[0]["creator"] == "anna.hygge"
    assert results[0]["created_at"] == "2025-03-01T09:30:00+00:00"
    assert "columns not used" not in err


def test_a_file_without_a_caption_column_is_unreadable_and_names_the_map(tmp_path: Path) -> None:
    table = write_parquet(tmp_path / "eksport.parquet",
                          [{"Profil": r["user"], "Opslag": r["text"]} for r in posts(30)])
    code, _out, err = run(str(table))
    assert code == 2
    assert "eksport.parquet" in err and "no caption column" in err
    assert "--map caption=Opslag" in err  # chosen by what the rows hold


def test_a_map_to_a_column_that_is_not_there_says_which_ones_are(tmp_path: Path) -> None:
    table = write_parquet(tmp_path / "posts.parquet", posts(10))
    code, _out, err = run(str(table), "--map", "caption=txt")
    assert code == 2
    assert "--map caption=txt: no such column" in err and '"text"' in err


def test_a_broken_file_is_one_line_and_exit_2(tmp_path: Path) -> None:
    whole = write_parquet(tmp_path / "whole.parquet", posts(40)).read_bytes()
    cut = tmp_path / "cut.parquet"
    cut.write_bytes(whole[: len(whole) // 2])
    code, _out, err = run(str(cut))
    assert code == 2
    assert err.strip().count("\n") == 0 and "cut.parquet" in err and "Parquet" in err


def test_parquet_in_a_zip_and_on_standard_input(tmp_path: Path) -> None:
    table = write_parquet(tmp_path / "posts.parquet", posts(30))
    archive = tmp_path / "export.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.write(table, "data/posts.parquet")
    for args, stdin in (((str(archive),), None), (("-",), table.read_bytes())):
        _code, out, err = run(*args, "--map", "caption=text", "--format", "json", stdin=stdin)
        assert json.loads(out)["totals"]["checked"] == 28, (args, err)


def test_only_the_columns_fields_are_read_from_are_decoded(tmp_path: Path) -> None:
    # a column of a type nothing can make a caption of would fail the file if it were read
    records = [{"text": r["text"], "blob": b"\x00\x01", "vector": [0.5, 1.5]} for r in posts(10)]
    table = write_parquet(tmp_path / "wide.parquet", records)
    _code, out, err = run(str(table), "--format", "json")
    assert json.loads(out)["totals"]["checked"] == 9
    assert "columns not used: blob, vector" in err


# -- writing --------------------------------------------------------------------------------------
def test_results_written_as_parquet_give_back_the_jsonl_records_byte_for_byte(
        tmp_path: Path) -> None:
    table = write_parquet(tmp_path / "posts.parquet", posts(120))
    out_file = tmp_path / "results.parquet"
    code, _, _ = run(str(table), "--map", "caption=text", "--map", "creator=user",
                     "--format", "parquet", "-o", str(out_file))
    assert code == 1
    code, lines, _ = run(str(table), "--map", "caption=text", "--map", "creator=user",
                         "--format", "jsonl")
    written = pq.read_table(out_file)
    assert written.column_names == list(NAMES)
    rows = written.to_pylist()
    assert [json.dumps(record_of(r), ensure_ascii=False, separators=(",", ":")) for r in rows] \
        == lines.splitlines()
    # typed columns: counts are integers, findings a list of structs
    assert written.schema.field("count_label_missing").type == pa.int64()
    assert pa.types.is_struct(written.schema.field("findings").type.value_type)
    missing = [r for r in rows if r["count_label_missing"]]
    assert missing and all(any(f["category"] == "label-missing" for f in r["findings"])
                           for r in missing)


def test_rows_are_written_in_row_groups_as_they_come(tmp_path: Path) -> None:
    records = [{"text": f"Dag {n} i haven, tomaterne er røde"} for n in range(ROWS + 5)]
    table = write_parquet(tmp_path / "many.parquet", records, rows_per_group=4000)
    out_file = tmp_path / "results.parquet"
    code, _, err = run(str(table), "--format", "parquet", "-o", str(out_file))
    assert code == 0, err
    written = pq.ParquetFile(out_file)
    assert written.metadata.num_rows == ROWS + 5
    assert written.num_row_groups == 2


def test_parquet_output_needs_a_file_and_a_run_of_no_post_writes_the_columns(
        tmp_path: Path) -> None:
    table = write_parquet(tmp_path / "posts.parquet", posts(10))
    code, out, err = run(str(table), "--format", "parquet")
    assert code == 2 and "-o" in err and out == ""
    empty = write_parquet(tmp_path / "blank.parquet", [{"text": ""}, {"text": None}])
    out_file = tmp_path / "results.parquet"
    code, _, err = run(str(empty), "--format", "parquet", "-o", str(out_file))
    assert code == 2  # nothing was checked: never "all fine"
    written = pq.ParquetFile(out_file)  # as every format: the report says so, here by no row
    assert written.metadata.num_rows == 0 and written.schema_arrow.names == list(NAMES)


# -- memory -------------------------------------------------------------------------------------------
# The peak of this process's own memory (VmHWM): ru_maxrss of a child started from a large
# parent can report the parent's size and hide any growth.
_READ_ALL = """
import re, sys
from skjult.readers.detect import read_path
from skjult.model import Post
count = sum(isinstance(item, Post) for item in read_path(sys.argv[1]))
status = open("/proc/self/status").read()
print(count, re.search(r"VmHWM:\\s+(\\d+) kB", status).group(1))
"""


def _peak_kib_reading(path: Path) -> tuple[int, int]:
    done = subprocess.run([sys.executable, "-c", _READ_ALL, str(path)], capture_output=True,
                          text=True, check=True, timeout=600)
    count, peak = done.stdout.split()
    return int(count), int(peak)


def test_memory_is_bounded_by_a_row_group_not_by_the_file(tmp_path: Path) -> None:
    """2,000,000 rows are read in the memory of 100,000 (the posts, not checked: the reading
    is what holds a file or not)."""
    def make(path: Path, rows: int) -> Path:
        captions = pa.array([f"Tur nummer {n % 997} i skoven med hunden" for n in range(100_000)])
        creators = pa.array([f"skaber{n % 250}" for n in range(100_000)])
        chunk = pa.table({"caption": captions, "creator": creators})
        with pq.ParquetWriter(path, chunk.schema) as writer:
            for _ in range(rows // 100_000):
                writer.write_table(chunk, row_group_size=100_000)
        return path

    small = _peak_kib_reading(make(tmp_path / "small.parquet", 100_000))
    large = _peak_kib_reading(make(tmp_path / "large.parquet", 2_000_000))
    assert small[0] == 100_000 and large[0] == 2_000_000
    assert large[1] - small[1] < 40 * 1024, (small, large)  # KiB: flat, not 20× the rows
