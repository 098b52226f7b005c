"""Hostile input: every case is built here by a small generator. The promise under test: a broken
record is a counted skip, a broken file is one line and exit 2, the run goes on, no file is
destroyed, nothing is lost without a word, and read = checked + skipped for every file."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from skjult.cli import main
from skjult.readers.limits import MAX_CAPTION_CHARS, MAX_RECORD_LINES

LABELLED = "Reklame for @lumaskin | Min nye yndlingscreme"
UNLABELLED = "Tak til @lumaskin for den fine creme, I får koden LUMA20 her"


def check(*args: str, stdin: str | None = None) -> tuple[int, str, str]:
    # messages in English, the language asserted here (tests/test_language.py has both)
    result = CliRunner().invoke(main, ["check", "--no-config", "--no-progress", "--lang", "en",
                                       *args], input=stdin)
    return result.exit_code, result.stdout, result.stderr


def report_of(*paths: Path | str, extra: tuple[str, ...] = ()) -> tuple[int, dict[str, Any], str]:
    """The JSON report of a run over ``paths``, with the accounting invariant checked."""
    out = Path(str(paths[0])).parent / "report.out.json"
    code, _, err = check(*map(str, paths), "--format", "json", "-o", str(out), *extra)
    assert "Traceback" not in err and "internal error" not in err, err
    report = json.loads(out.read_text(encoding="utf-8"))
    for name, totals in report["files"].items():
        assert totals["read"] == totals["checked"] + totals["skipped"], (name, totals)
    return code, report, err


def jsonl(*records: Any) -> str:
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)


# -- one record never sinks a run -----------------------------------------------------------------
def test_deeply_nested_records_are_skipped_and_the_rest_read(tmp_path: Path) -> None:
    deep = "[" * 5000 + "]" * 5000
    lines = tmp_path / "deep.jsonl"
    lines.write_text(jsonl({"caption": LABELLED}) + '{"caption": "x", "z": ' + deep + "}\n"
                     + jsonl({"caption": UNLABELLED}), encoding="utf-8")
    array = tmp_path / "deep.json"
    array.write_text(f'[{{"caption": "a"}}, {{"caption": "b", "z": {deep}}}, {{"caption": "c"}}]',
                     encoding="utf-8")
    code, report, _ = report_of(lines, array)
    assert report["files"][str(lines)]["checked"] == 2
    assert report["files"][str(array)]["checked"] == 2
    assert {s["reason"] for s in report["skips"]} == {"nested too deeply to read"}
    assert code == 1  # the unlabelled post after the deep one was checked


def test_lone_surrogate_is_read_in_every_output_format(tmp_path: Path) -> None:
    posts = tmp_path / "s.jsonl"
    posts.write_text('{"caption": "' + UNLABELLED + ' \\ud83c", "creator": "a\\udc00"}\n',
                     encoding="utf-8")
    for fmt in ("text", "line", "json", "jsonl", "csv", "sarif", "github", "html"):
        out = tmp_path / f"out.{fmt}"
        code, _, err = check(str(posts), "--format", fmt, "-o", str(out))
        assert code == 1, (fmt, err)
        written = out.read_text(encoding="utf-8")
        assert "\ufffd" in written or fmt in ("line", "github", "sarif"), fmt


@pytest.mark.parametrize("stamp", [99999999999999999, 1e300, -1e300, "NaN"])
def test_timestamps_out_of_any_calendar(tmp_path: Path, stamp: Any) -> None:
    facebook = tmp_path / "your_posts_1.json"
    facebook.write_text(json.dumps([{"timestamp": stamp, "data": [{"post": UNLABELLED}]}]),
                        encoding="utf-8")
    apify = tmp_path / "dataset.json"
    apify.write_text(json.dumps([{"ownerUsername": "x", "shortCode": "a", "caption": UNLABELLED,
                                  "timestamp": stamp}]), encoding="utf-8")
    _, report, _ = report_of(facebook, apify)
    assert [t["checked"] for t in report["files"].values()] == [1, 1]


def test_records_of_the_wrong_shape_are_skipped(tmp_path: Path) -> None:
    facebook = tmp_path / "your_posts_1.json"
    facebook.write_text(json.dumps([{"timestamp": 1, "data": 5},
                                    {"timestamp": 1, "data": [{"post": UNLABELLED}]},
                                    {"timestamp": 1, "data": [{"post": 7}], "attachments": "x"}]),
                        encoding="utf-8")
    _, report, _ = report_of(facebook)
    totals = report["files"][str(facebook)]
    assert totals["format"] == "facebook" and totals["checked"] == 1 and totals["skipped"] == 2


def test_csv_with_carriage_returns_only(tmp_path: Path) -> None:
    mac = tmp_path / "mac.csv"
    mac.write_bytes(f'caption;creator\r"{UNLABELLED}\rover two lines";anna\r{LABELLED};bo\r'
                    .encode("cp1252"))
    code, report, _ = report_of(mac)
    assert report["files"][str(mac)]["checked"] == 2 and not report["skips"]
    assert set(report["creators"]) == {"anna", "bo"} if isinstance(report["creators"], dict) \
        else {c["creator"] for c in report["creators"]} == {"anna", "bo"}
    assert code == 1


# -- nothing lost without a word --------------------------------------------------------------------
def test_json_array_broken_in_the_middle_says_the_rest_is_lost(tmp_path: Path) -> None:
    items = json.dumps([{"caption": f"opslag {i}"} for i in range(1000)], indent=1)
    cut = items.index('"opslag 500"')
    broken = tmp_path / "broken.json"
    broken.write_text(items[:cut] + '"opslag 500" ,, ' + items[cut + 11:], encoding="utf-8")
    code, report, err = report_of(broken)
    [skip] = report["skips"]
    assert skip["kind"] == "rest-unread" and "the rest of the file" in skip["reason"]
    assert report["files"][str(broken)]["checked"] == 500
    assert code == 0 and "cannot be read" in err
    strict, _, _ = check(str(broken), "--strict", "-q")
    assert strict == 2


def test_unbalanced_quote_costs_one_row_not_the_file(tmp_path: Path) -> None:
    rows = ["caption,creator", *[f"opslag nummer {i},c{i}" for i in range(60)]]
    rows[11] = '"opslag med et citationstegn der aldrig lukkes,c10'
    for where in (11, 45):  # in the middle, and near the end (it would run to the end)
        table = tmp_path / f"quote{where}.csv"
        moved = list(rows)
        moved[11], moved[where] = moved[where], moved[11]
        table.write_text("\n".join(moved) + "\n", encoding="utf-8")
        _, report, _ = report_of(table)
        assert report["files"][str(table)]["checked"] == 59
        assert [s["position"] for s in report["skips"]] == [f"line {where + 1}"]


def test_quote_that_never_closes_in_a_long_file_is_bounded(tmp_path: Path) -> None:
    rows = ["caption,creator"] + [f"ok {i},c" for i in range(3 * MAX_RECORD_LINES)]
    rows[5] = '"a stray quote,c'
    table = tmp_path / "stray.csv"
    table.write_text("\n".join(rows) + "\n", encoding="utf-8")
    _, report, _ = report_of(table)
    assert report["files"][str(table)]["checked"] == 3 * MAX_RECORD_LINES - 1
    assert [s["position"] for s in report["skips"]] == ["line 6"]
    # every third line a stray quote: two of them pair up into one odd row; no hang, all counted
    rows = ["caption,creator"] + [f'"stray {i},c' if i % 3 == 0 else f"ok {i},c"
                                  for i in range(3 * MAX_RECORD_LINES)]
    table.write_text("\n".join(rows) + "\n", encoding="utf-8")
    report_of(table)


def test_invalid_utf8_late_in_a_file_is_replaced_and_said(tmp_path: Path) -> None:
    posts = tmp_path / "late.jsonl"
    posts.write_bytes(jsonl(*[{"caption": f"opslag {i}"} for i in range(5000)]).encode()
                      + b'{"caption": "bad \xe6 byte"}\n' + jsonl({"caption": "after"}).encode())
    _, report, err = report_of(posts)
    assert report["files"][str(posts)]["checked"] == 5002
    assert "1 invalid byte for its encoding was read" in err


def test_subfolder_that_cannot_be_read_is_an_error(tmp_path: Path) -> None:
    if os.geteuid() == 0:
        pytest.skip("root reads every folder")
    (tmp_path / "ok").mkdir()
    (tmp_path / "ok" / "a.jsonl").write_text(jsonl({"caption": LABELLED}), encoding="utf-8")
    locked = tmp_path / "locked"
    locked.mkdir()
    (locked / "b.jsonl").write_text(jsonl({"caption": UNLABELLED}), encoding="utf-8")
    locked.chmod(0)
    try:
        code, _, err = check(str(tmp_path), "-o", str(tmp_path / "r.txt"))
    finally:
        locked.chmod(0o755)
    assert code == 2 and "locked" in err


def test_fifo_in_a_folder_is_passed_over_not_waited_for(tmp_path: Path) -> None:
    (tmp_path / "a.jsonl").write_text(jsonl({"caption": LABELLED}), encoding="utf-8")
    os.mkfifo(tmp_path / "pipe.jsonl")
    run = subprocess.run([sys.executable, "-m", "skjult.cli", "check", str(tmp_path), "--no-config",
                          "--lang", "en"],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert "pipe.jsonl: not a regular file" in run.stderr


def test_damaged_member_does_not_take_the_archive_with_it(tmp_path: Path) -> None:
    archive = tmp_path / "two.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_STORED) as zf:
        zf.writestr("a.jsonl", jsonl({"caption": UNLABELLED}))
        zf.writestr("b.jsonl", jsonl({"caption": LABELLED + " og mere tekst"}))
    data = bytearray(archive.read_bytes())
    at = data.index(b"og mere tekst")
    data[at:at + 2] = b"OG"  # the stored bytes no longer match the member's CRC
    archive.write_bytes(bytes(data))
    code, _, err = check(str(archive), "-o", str(tmp_path / "r.txt"))
    assert code == 2 and "two.zip:b.jsonl" in err and "two.zip:a.jsonl" not in err


# -- limits ------------------------------------------------------------------------------------------
def test_caption_longer_than_any_platform_allows_is_skipped(tmp_path: Path) -> None:
    posts = tmp_path / "long.jsonl"
    posts.write_text(jsonl({"caption": "ord " * (MAX_CAPTION_CHARS // 4 + 1)},
                           {"caption": UNLABELLED}), encoding="utf-8")
    code, report, _ = report_of(posts)
    [skip] = report["skips"]
    assert "no platform allows more" in skip["reason"] and code == 1


def test_zip_bomb_member_is_refused_before_it_is_read(tmp_path: Path) -> None:
    archive = tmp_path / "bomb.zip"
    line = (jsonl({"caption": "a"}) * 1000).encode()
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf, \
            zf.open("posts.jsonl", "w", force_zip64=True) as member:
        for _ in range(5_000):  # 100 MB of the same line, a few hundred KB compressed
            member.write(line)
    code, _, err = check(str(archive))
    assert code == 2 and "decompression bomb" in err


def test_gzip_bomb_stops_once_it_expands_too_far(tmp_path: Path) -> None:
    import gzip

    bomb = tmp_path / "posts.jsonl.gz"
    with gzip.open(bomb, "wb") as stream:
        stream.write(jsonl({"caption": UNLABELLED}).encode() + b'{"caption": "')
        for _ in range(5_000):  # a caption of 100 MB, a hundred KB compressed
            stream.write(b"a" * 20_000)
        stream.write(b'"}\n')
    code, _, err = check(str(bomb))
    assert code == 2 and "decompression bomb" in err
    assert "after 1 record, which was read" in err  # the post before it was read and checked


def test_front_matter_aliases_are_refused(tmp_path: Path) -> None:
    laughs = ["a: &a [x, x, x, x, x, x, x, x, x]"]
    for level in "bcdefghij":
        previous = chr(ord(level) - 1)
        laughs.append(f"{level}: &{level} [{', '.join(['*' + previous] * 9)}]")
    draft = tmp_path / "bomb.md"
    draft.write_text("---\n" + "\n".join(laughs) + "\n---\n" + UNLABELLED + "\n", encoding="utf-8")
    code, _, err = check(str(draft))
    assert "aliases (*name) are not allowed" in err
    assert code == 2  # the draft is a counted skip, and a run that checked nothing never passes
    assert "nothing was checked" in err


# -- files are never destroyed ----------------------------------------------------------------------
def test_report_never_overwrites_an_input(tmp_path: Path) -> None:
    posts = tmp_path / "v.jsonl"
    posts.write_text(jsonl({"caption": UNLABELLED}), encoding="utf-8")
    before = posts.read_bytes()
    code, _, err = check(str(posts), "-o", str(posts))
    assert code == 2 and "is also an input" in err
    assert posts.read_bytes() == before


def test_report_inside_the_scanned_folder_is_not_read_back_nor_overwritten(tmp_path: Path) -> None:
    creator = tmp_path / "mia"
    creator.mkdir()
    posts = creator / "posts.jsonl"
    posts.write_text(jsonl({"caption": UNLABELLED}), encoding="utf-8")
    out = tmp_path / "report.jsonl"
    code, _, _ = check(str(tmp_path), "--format", "jsonl", "-o", str(out))
    assert code == 1 and len(out.read_text(encoding="utf-8").splitlines()) == 1  # the one post
    # a file that exists in a folder the run reads may be an input: never replaced
    for existing in (out, posts):
        before = existing.read_bytes()
        code, _, err = check(str(tmp_path), "--format", "jsonl", "-o", str(existing))
        assert code == 2 and "which this run reads" in err
        assert existing.read_bytes() == before


def test_report_never_overwrites_what_stdin_reads_or_the_configuration(tmp_path: Path) -> None:
    posts = tmp_path / "s.jsonl"
    posts.write_text(jsonl({"caption": UNLABELLED}), encoding="utf-8")
    with posts.open("rb") as stdin:
        run = subprocess.run([sys.executable, "-m", "skjult.cli", "check", "-", "--no-config",
                              "--lang", "en", "-o", str(posts)], stdin=stdin, capture_output=True, text=True,
                             timeout=120)
    assert run.returncode == 2 and "standard input" in run.stderr
    assert posts.read_text(encoding="utf-8") == jsonl({"caption": UNLABELLED})
    config = tmp_path / "skjult.toml"
    config.write_text('lang = "en"\n', encoding="utf-8")
    result = CliRunner().invoke(main, ["check", str(posts), "-o", str(config)])
    assert result.exit_code == 2 and config.read_text(encoding="utf-8") == 'lang = "en"\n'


def test_failed_write_keeps_the_old_report_and_is_exit_2(tmp_path: Path) -> None:
    posts = tmp_path / "v.jsonl"
    posts.write_text(jsonl({"caption": UNLABELLED}), encoding="utf-8")
    code, _, err = check(str(posts), "-o", "/dev/full")
    assert code == 2 and "/dev/full: cannot write" in err and "Traceback" not in err
    old = tmp_path / "old.json"
    old.write_text("the previous report\n", encoding="utf-8")
    # an unreadable input still gets its report, which names the problem, and exit 2
    code, _, err = check(str(posts), "-o", str(old), "--input-format", "csv", "-f", "json")
    assert code == 2 and str(posts) in err
    assert json.loads(old.read_text(encoding="utf-8"))["files"][str(posts)]["error"]


@pytest.mark.parametrize("signal_name", ["SIGINT", "SIGTERM"])
def test_interrupted_run_leaves_no_partial_report(tmp_path: Path, signal_name: str) -> None:
    import signal
    import time

    posts = tmp_path / "many.jsonl"
    posts.write_text(jsonl(*[{"caption": f"{UNLABELLED} {i}"} for i in range(40_000)]),
                     encoding="utf-8")
    out = tmp_path / "report.jsonl"
    out.write_text("old\n", encoding="utf-8")
    run = subprocess.Popen([sys.executable, "-m", "skjult.cli", "check", str(posts), "--no-config",
                            "--format", "jsonl", "-o", str(out)], stderr=subprocess.PIPE, text=True)
    time.sleep(8)
    run.send_signal(getattr(signal, signal_name))
    _, err = run.communicate(timeout=60)
    assert run.returncode == 130 and "Traceback" not in err, err
    assert out.read_text(encoding="utf-8") == "old\n"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


# -- --fix ---------------------------------------------------------------------------------------------
def _draft(folder: Path, name: str, data: bytes, mode: int = 0o644) -> Path:
    path = folder / name
    path.write_bytes(data)
    path.chmod(mode)
    return path


def test_fix_keeps_encoding_and_bom_and_refuses_what_it_cannot_do_safely(tmp_path: Path) -> None:
    drafts = tmp_path / "drafts"
    drafts.mkdir()
    outside = tmp_path / "outside.txt"
    outside.write_text(UNLABELLED + "\n", encoding="utf-8")
    cp1252 = _draft(drafts, "cp1252.txt", (UNLABELLED + " æøå\n").encode("cp1252"))
    utf16 = _draft(drafts, "utf16.txt", (UNLABELLED + " æøå\n").encode("utf-16"))
    bom = _draft(drafts, "bom.txt", b"\xef\xbb\xbf" + (UNLABELLED + "\n").encode())
    readonly = _draft(drafts, "readonly.txt", (UNLABELLED + "\n").encode(), 0o444)
    (drafts / "link.txt").symlink_to(outside)
    code, _, err = check(str(drafts), "--fix")
    assert code == 2 and "2 drafts could not be fixed" in err
    assert cp1252.read_bytes().decode("cp1252").startswith("Reklame for @lumaskin | ")
    assert cp1252.read_bytes().endswith(" æøå\n".encode("cp1252"))
    assert utf16.read_bytes().startswith(b"\xff\xfe")
    assert utf16.read_bytes().decode("utf-16").startswith("Reklame for @lumaskin | ")
    assert bom.read_bytes().startswith(b"\xef\xbb\xbfReklame for @lumaskin | ")
    assert readonly.read_text(encoding="utf-8") == UNLABELLED + "\n"
    assert stat.S_IMODE(readonly.stat().st_mode) == 0o444
    assert outside.read_text(encoding="utf-8") == UNLABELLED + "\n"
    assert "link.txt: not fixed: it is a symbolic link" in err
    assert "readonly.txt: not fixed: it is read-only" in err


def test_fix_keeps_permissions_and_leaves_no_temporary_files(tmp_path: Path) -> None:
    draft = _draft(tmp_path, "d.txt", (UNLABELLED + "\n").encode(), 0o640)
    code, _, _ = check(str(draft), "--fix")
    assert code == 0
    assert stat.S_IMODE(draft.stat().st_mode) == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["d.txt"]


# -- configuration stays in its folder ------------------------------------------------------------
def test_configuration_paths_stay_inside_its_folder(tmp_path: Path) -> None:
    project = tmp_path / "project"
    project.mkdir()
    secret = tmp_path / "secret.txt"
    secret.write_text("not a campaign\n", encoding="utf-8")
    (project / "skjult.toml").write_text('[campaign]\nfiles = ["../secret.txt"]\n', encoding="utf-8")
    (project / "a.txt").write_text(UNLABELLED + "\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["check", str(project / "a.txt")])
    assert result.exit_code == 2 and "outside the configuration's folder" in result.stderr
    (project / "skjult.toml").write_text(f'packs = ["{tmp_path}"]\n', encoding="utf-8")
    result = CliRunner().invoke(main, ["check", str(project / "a.txt")])
    assert result.exit_code == 2 and "outside the configuration's folder" in result.stderr


def test_configuration_that_ignores_every_rule_does_not_pass(tmp_path: Path) -> None:
    (tmp_path / "skjult.toml").write_text('ignore = ["dk.*"]\n', encoding="utf-8")
    draft = tmp_path / "a.txt"
    draft.write_text(UNLABELLED + "\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["check", str(draft), "--lang", "en"])
    assert result.exit_code == 2 and "no rule is active" in result.stderr
    assert str(tmp_path / "skjult.toml") in result.stderr


# -- the library ---------------------------------------------------------------------------------
def test_library_caption_with_a_lone_surrogate_is_checked() -> None:
    import skjult

    result = skjult.check(UNLABELLED + " \ud83c", creator="anna")
    assert result.verdict.value == "violation"
    json.dumps(result.to_dict(), ensure_ascii=False).encode("utf-8")  # encodable as it is


def test_a_failure_on_one_post_names_it_across_processes() -> None:
    import pickle

    from skjult.model import Post
    from skjult.run.judging import CheckFailed

    failed = CheckFailed(Post(text="x", source="export.jsonl:line 7"), ValueError("boom"))
    again = pickle.loads(pickle.dumps(failed))  # as it comes back from a --jobs worker
    assert "export.jsonl:line 7" in str(again) and isinstance(again.error, ValueError)


def test_file_names_cannot_forge_lines_or_workflow_commands_on_stderr(tmp_path: Path) -> None:
    folder = tmp_path / "d"
    folder.mkdir()
    (folder / "a\n::error::pwned.json").write_bytes(b"x\0")
    (folder / "##[error]x.jsonl").write_bytes(b"")
    (folder / "b.jsonl").write_text('{"caption": "x", "audience": "##[error]a\\n::warning::b"}\n',
                                    encoding="utf-8")
    run = subprocess.run([sys.executable, "-m", "skjult.cli", "check", str(folder), "--no-config"],
                         capture_output=True, text=True, timeout=120,
                         env={**os.environ, "GITHUB_ACTIONS": "true"})
    assert run.returncode == 2
    lines = run.stderr.splitlines()
    assert len(lines) >= 3 and all(line.startswith("skjult: ") for line in lines), lines
    assert "##[" not in run.stderr and "pwned" in run.stderr


def test_zip_listing_one_member_many_times_is_refused(tmp_path: Path) -> None:
    import io
    import struct

    packed = io.BytesIO()
    with zipfile.ZipFile(packed, "w") as zf:
        zf.writestr("a.jsonl", jsonl({"caption": UNLABELLED}) * 10)
    data = packed.getvalue()
    end = data.rindex(b"PK\x05\x06")
    start = struct.unpack("<I", data[end + 16:end + 20])[0]
    listing = data[start:end] * 50  # the one entry, fifty times: fifty times the posts
    record = bytearray(data[end:])
    struct.pack_into("<HHII", record, 8, 50, 50, len(listing), start)
    archive = tmp_path / "dup.zip"
    archive.write_bytes(data[:start] + listing + bytes(record))
    code, _, err = check(str(archive), "-q")
    assert code == 2 and "share the same data" in err


def test_folders_nested_without_end_do_not_take_the_others_with_them(tmp_path: Path) -> None:
    (tmp_path / "anna").mkdir()
    (tmp_path / "anna" / "p.jsonl").write_text(jsonl({"caption": UNLABELLED}), encoding="utf-8")
    here = Path.cwd()
    deep = tmp_path / "mia"
    deep.mkdir()
    os.chdir(deep)
    try:
        for _ in range(100):  # past the limit (64) that keeps os.walk from recursing to exhaustion
            os.mkdir("d")
            os.chdir("d")
    finally:
        os.chdir(here)
    (tmp_path / "link").symlink_to(tmp_path / "anna")
    code, _, err = check(str(tmp_path), "-o", str(tmp_path.parent / "r.txt"))
    assert code == 2 and "nested more than 64 deep" in err
    assert "link: a symbolic link to a folder; not followed" in err
    assert "anna/p.jsonl" in (tmp_path.parent / "r.txt").read_text(encoding="utf-8")


def test_campaign_file_that_is_a_fifo_is_refused(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "campaign.txt")
    (tmp_path / "skjult.toml").write_text('[campaign]\nfiles = ["campaign.txt"]\n', encoding="utf-8")
    (tmp_path / "a.txt").write_text(UNLABELLED + "\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["check", str(tmp_path / "a.txt")])
    assert result.exit_code == 2 and "not a regular file" in result.stderr
