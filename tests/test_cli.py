"""The command line: every format, stdin, exit codes, errors without tracebacks."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from skjult.cli import main

POSTS = [
    {"id": "a1", "creator": "anne", "platform": "instagram", "caption": "Reklame for @tehuset | ny te 🍵"},
    {"id": "a2", "creator": "anne", "platform": "instagram", "caption": "Tak for gaven @tehuset 🍵"},
    {"id": "b1", "creator": "bent", "platform": "tiktok", "caption": "Fisketur ved åen 🎣"},
    {"id": "b2", "creator": "bent", "platform": "tiktok", "caption": "Ny stang fra @fiskegrej 🎣 link i bio"},
]


@pytest.fixture()
def export(tmp_path: Path) -> Path:
    path = tmp_path / "posts.jsonl"
    path.write_text("".join(json.dumps(p, ensure_ascii=False) + "\n" for p in POSTS), encoding="utf-8")
    return path


def run(*args: str, stdin: str | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), input=stdin)
    return result.exit_code, result.stdout, result.stderr


def test_text_report(export: Path) -> None:
    code, out, _ = run("check", str(export))
    assert code == 1
    assert "anne" in out and "bent" in out
    assert "⟦Tak for gaven⟧ @tehuset" in out
    assert "dk.label-missing" in out
    assert "læst 4 · tjekket 4 · sprunget over 0" in out


def test_text_report_in_english(export: Path) -> None:
    _, out, _ = run("check", str(export), "--lang", "en")
    # "Tak for gaven" is the evidence and the problem: one error saying why it is no label
    assert "Creator" in out and '"Tak for gaven" shows that the post is commercial but is not a ' \
        "label" in out


def test_jsonl_contract(export: Path) -> None:
    code, out, _ = run("check", str(export), "--format", "jsonl")
    records = [json.loads(line) for line in out.splitlines()]
    assert [r["id"] for r in records] == ["a1", "a2", "b1", "b2"]
    assert [r["verdict"] for r in records] == ["compliant", "violation", "not_commercial", "warning"]
    a2 = records[1]
    assert a2["caption"] == POSTS[1]["caption"]
    assert a2["commercial"]["level"] == "strong"
    assert set(a2["findings"][0]) >= {"rule", "category", "severity", "message", "start", "end",
                                      "line", "column", "text", "fix", "source"}
    assert records[0]["disclosures"][0] == {"kind": "label", "text": "Reklame", "start": 0,
                                            "end": 7, "termset": "dk.label"}
    assert code == 1


def test_json_report_has_creators_and_totals(export: Path, tmp_path: Path) -> None:
    target = tmp_path / "report.json"
    code, out, _ = run("check", str(export), "--format", "json", "-o", str(target))
    assert out == "" and code == 1
    report = json.loads(target.read_text(encoding="utf-8"))
    assert report["schema"] == "skjult/report/1"
    assert len(report["posts"]) == 4
    anne = next(c for c in report["creators"] if c["creator"] == "anne")
    assert anne["compliance_rate"] == 0.5
    assert report["totals"]["read"] == 4 and report["totals"]["skipped"] == 0


def test_csv_report(export: Path) -> None:
    _, out, _ = run("check", str(export), "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [r["verdict"] for r in rows] == ["compliant", "violation", "not_commercial", "warning"]
    assert "dk.label-missing" in rows[1]["rules"]


def test_stdin_caption_with_metadata() -> None:
    code, out, _ = run("check", "-", "--format", "jsonl", "--creator", "mia", "--paid-partnership",
                       stdin="Min nye cykel 🚲\n")
    [record] = [json.loads(line) for line in out.splitlines()]
    assert record["creator"] == "mia" and record["verdict"] == "violation"
    assert record["caption"] == "Min nye cykel 🚲"
    assert code == 1


def test_stdin_jsonl() -> None:
    lines = "".join(json.dumps(p, ensure_ascii=False) + "\n" for p in POSTS)
    _, out, _ = run("check", "-", "--format", "jsonl", stdin=lines)
    assert len(out.splitlines()) == 4


@pytest.mark.parametrize(
    ("fail_level", "code"),
    [("error", 1), ("warning", 1), ("never", 0)],
)
def test_fail_level(fail_level: str, code: int) -> None:
    got, _, _ = run("check", "-", "--fail-level", fail_level, stdin="Tak for gaven @tehuset")
    assert got == code


def test_warning_only_passes_at_default_level() -> None:
    code, _, _ = run("check", "-", stdin="Ny stang fra @fiskegrej 🎣 link i bio")
    assert code == 0
    code, _, _ = run("check", "-", "--fail-level", "warning", stdin="Ny stang fra @fiskegrej 🎣 link i bio")
    assert code == 1


def test_clean_input_exits_zero() -> None:
    code, _, _ = run("check", "-", stdin="Fisketur ved åen 🎣")
    assert code == 0


def test_unreadable_file_is_one_line_and_exit_2(export: Path, tmp_path: Path) -> None:
    missing = tmp_path / "missing.jsonl"
    code, out, err = run("check", str(missing), str(export), "--format", "jsonl", "--lang", "en")
    assert code == 2
    assert err.strip().splitlines() == [f"skjult: {missing}: no such file or folder"]
    assert len(out.splitlines()) == 4  # the other file is still checked
    assert "Traceback" not in err


def test_broken_record_is_skipped_and_counted(tmp_path: Path) -> None:
    path = tmp_path / "p.jsonl"
    path.write_text('{"caption": "Fisketur"}\n{oops\n{"caption": "Kaffe"}\n', encoding="utf-8")
    code, out, err = run("check", str(path), "--format", "json")
    report = json.loads(out)
    assert report["totals"] == {"read": 3, "checked": 2, "skipped": 1, "no_text": 0,
                                "unreadable_files": 0, "suppressed": 0,
                                "verdicts": {"not_commercial": 2, "compliant": 0, "warning": 0,
                                             "violation": 0}}
    assert report["files"][str(path)] == {"format": "jsonl", "read": 3, "checked": 2, "skipped": 1,
                                          "no_text": 0, "error": None}
    assert report["skips"][0]["position"] == "line 2"
    assert f"{path}:linje 2" in err  # stderr speaks the report's language (--lang da)
    assert code == 0


def test_map_option_and_bad_map(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text("Tekst;Profil\nBrug koden HEJ10 hos @x;sofie\n", encoding="utf-8")
    code, out, _ = run("check", str(path), "--map", "caption=Tekst", "--map", "creator=Profil",
                       "--format", "jsonl")
    assert json.loads(out)["creator"] == "sofie" and code == 1
    code, _, err = run("check", str(path), "--map", "caption")
    assert code == 2 and "FIELD=COLUMN" in err


def test_unknown_jurisdiction_is_exit_2() -> None:
    code, _, err = run("check", "-", "--jurisdiction", "xx", stdin="hej")
    assert code == 2 and "no rule pack" in err


def test_rules_list_show_and_test() -> None:
    code, out, _ = run("rules", "list")
    assert code == 0 and "dk.label-missing" in out
    code, out, _ = run("rules", "show", "dk.label-placement")
    assert code == 0 and "source: https://" in out and "Triggers on:" in out
    code, _, err = run("rules", "show", "dk.label-placment")
    assert code == 2 and "did you mean" in err
    code, out, _ = run("rules", "test")
    assert code == 0 and "0 failed" in out


def test_invalid_extra_pack_is_exit_2(tmp_path: Path) -> None:
    (tmp_path / "pack.yml").write_text("pack: mine\n", encoding="utf-8")
    (tmp_path / "rules").mkdir()
    (tmp_path / "rules" / "r.yml").write_text("id: mine.r\nkind: nope\n", encoding="utf-8")
    code, _, err = run("check", "-", "--rules", str(tmp_path), stdin="hej")
    assert code == 2 and "r.yml:2" in err


def test_strict_fails_on_broken_records_but_not_on_posts_without_text(tmp_path: Path) -> None:
    broken = tmp_path / "broken.jsonl"
    broken.write_text('{"caption": "Fisketur"}\n{oops\n', encoding="utf-8")
    empty = tmp_path / "empty.jsonl"
    empty.write_text('{"caption": "Fisketur"}\n{"caption": ""}\n', encoding="utf-8")
    assert run("check", str(broken), "-q")[0] == 0
    code, _, err = run("check", str(broken), "--strict", "--lang", "en")
    assert code == 2 and "--strict: 1 record could not be read" in err
    assert run("check", str(empty), "--strict")[0] == 0


def test_formats_lists_every_reader() -> None:
    code, out, _ = run("formats", "--json")
    names = {row["name"] for row in json.loads(out)}
    assert code == 0
    assert {"instagram", "facebook", "tiktok", "youtube-takeout", "youtube-api", "apify-instagram",
            "apify-tiktok", "instaloader", "instagram-graph", "crowdtangle",
            "meta-content-library", "jsonl", "json", "csv"} <= names
    code, out, _ = run("formats")
    assert "hand in: user_data_tiktok.json" in out


def test_export_folder_report_shows_files_and_notes(tmp_path: Path) -> None:
    fixtures = Path(__file__).parent / "fixtures" / "exports"
    code, out, err = run("check", str(fixtures / "tiktok-empty"), str(fixtures / "tiktok-2025"),
                         "--lang", "en")
    assert code == 1
    assert "user_data_tiktok.json  tiktok" in out and "2 (2 without text)" in out
    assert "empty caption" in err and "Traceback" not in err


def test_progress_is_drawn_on_a_terminal_and_cleared() -> None:
    import io

    from skjult.progress import Progress

    screen = io.StringIO()
    meter = Progress(screen, True, delay=0, interval=0, lang="en")
    meter.file()
    for _ in range(128):
        meter.post()
    assert "1 file · 128 posts" in screen.getvalue() and "posts/s" in screen.getvalue()
    meter.done()
    assert screen.getvalue().endswith("\r\x1b[K")
    quiet = io.StringIO()
    silent = Progress(quiet, False, delay=0, interval=0)
    for _ in range(128):
        silent.post()
    assert quiet.getvalue() == ""


def test_every_registered_format_resolves_to_a_formatter() -> None:
    from skjult.report import FORMATTERS, formatter_class
    from skjult.report.base import Formatter

    for name in FORMATTERS:
        assert issubclass(formatter_class(name), Formatter), name
