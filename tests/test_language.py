"""One language, plain words: with --lang da everything a user reads is Danish, with --lang en
everything is English, and English quotes with "…", never »…«.

The runs here go through the real command line on inputs of our own that produce every kind of
message: findings, posts without a creator, skipped records, records without text, notes,
unreadable files, errors on stderr, the line and github formats and GitHub's step summary.
Each output is searched for the other language's words. Text that comes from the input (file
names, captions) or from the operating system and Python's JSON decoder is not translated; the
inputs avoid such words, and the operating system's messages are taken out before searching.

The catalogue test proves that every message template in the source has a Danish wording, that
no Danish wording is left over, and that both use the same fields."""

from __future__ import annotations

import ast
import errno
import io
import json
import os
import pickle
import re
import string
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

import skjult
from skjult import i18n
from skjult.cli import main
from skjult.i18n import Text, localize
from skjult.items import Skip
from skjult.report.text_format import TextFormatter

SRC = Path(skjult.__file__).parent

# Words that must not appear in a report or message of the other language (whole words, any case;
# "JSON Lines" is a format's name in both).
ENGLISH = {"skipped", "line", "unknown", "error", "errors", "warning", "warnings",
           "violation", "violations", "cannot", "expected", "record", "records", "interrupted",
           "read", "checked", "file", "files", "posts", "commercial", "compliant", "compliance",
           "note", "the", "not", "with", "without", "configuration", "rules", "made", "none",
           "suppressed", "fix", "creator", "found", "other", "written", "report", "active",
           "invalid", "fields", "header", "nothing", "text", "empty", "binary", "input", "such",
           "folder", "output", "could"}
DANISH = {"sprunget", "linje", "linjer", "ukendt", "fejl", "advarsel", "advarsler",
          "overtrædelse", "overtrædelser", "kan", "ikke", "forventede", "poster",
          "afbrudt", "læst", "læses", "tjekket", "fil", "filen", "filer", "opslag",
          "kommercielle", "konfiguration", "regler", "lavet", "undertrykt", "bemærk", "ingen",
          "skaber", "overholdelse", "ret", "uden", "tekst", "tom", "tomt", "binær", "skrives",
          "rapport", "findes", "mappen", "felter", "overskriften", "intet", "anden", "andre",
          "standardoutput", "aktive", "slået"}
QUOTES = re.compile("[»«]")

# Posts of our own: one compliant, one without a label (a violation, no creator), one with a weak
# label (a warning), one not commercial, one without text; a broken line; a record without a
# caption field. Captions avoid the words above, so that they cannot be mistaken for a leak.
POSTS = [
    {"id": "p1", "creator": "mads", "caption": "Reklame for @hytteliv | ny sovepose 🏕️"},
    {"id": "p2", "caption": "Brug koden HYTTE15 hos @hytteliv 🏕️"},
    {"id": "p3", "creator": "mads", "caption": "Reklame | Min nye sovepose til vinteren 🏕️"},
    {"id": "p4", "creator": "sofie", "caption": "Regnvejr i Aarhus ☔"},
    {"id": "p5", "creator": "sofie", "caption": ""},
]


def _inputs(folder: Path) -> list[str]:
    """The inputs of a run that says everything skjult can say about them (names chosen so that
    no English or Danish word is in them)."""
    folder.mkdir(parents=True, exist_ok=True)
    lines = [json.dumps(p, ensure_ascii=False) for p in POSTS]
    lines.insert(2, "{p6 ikk json")
    lines.append(json.dumps({"id": "p7", "creator": "mads", "caption": "ok", "audience": "alle"}))
    (folder / "a.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (folder / "b.csv").write_text("caption,creator\nTur til Skagen,sofie\nx,y,z\n", encoding="utf-8")
    (folder / "c.json").write_bytes(b"\x00\x01\x02\x03" * 10)
    (folder / "e.json").write_text("", encoding="utf-8")
    sub = folder / "g"
    sub.mkdir(exist_ok=True)
    (sub / "h.jsonl").write_text(json.dumps(POSTS[3]) + "\n", encoding="utf-8")
    (sub / "k.png").write_bytes(b"\x89PNG")
    return [str(folder / n) for n in ("a.jsonl", "b.csv", "c.json", "e.json", "d.csv", "g")]


def run(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), env=env)
    return result.exit_code, result.stdout, result.stderr


def _words(text: str) -> set[str]:
    return {w.lower() for w in re.findall(r"[^\W\d_]+", text)}


def assert_one_language(text: str, lang: str, *, inputs: tuple[str, ...] = ()) -> None:
    """No word of the other language in ``text``; English never quotes with »…«."""
    for value in (*inputs, os.strerror(errno.ENOENT), "Expecting value", "Expecting property name "
                  "enclosed in double quotes"):
        text = text.replace(value, " ")
    other = ENGLISH if lang == "da" else DANISH
    leaked = _words(text) & other
    assert not leaked, f"{sorted(leaked)} in the {lang} output:\n{text}"
    if lang == "en":
        assert not QUOTES.search(text), text


def _strip_commands(out: str) -> str:
    """GitHub's workflow commands without their syntax (``::error file=…,title=…::``)."""
    return re.sub(r"^::\w+(?: [^:]*)?::", "", out, flags=re.M)


@pytest.fixture()
def inputs(tmp_path: Path) -> list[str]:
    return _inputs(tmp_path / "in")


@pytest.mark.parametrize("lang", ["da", "en"])
def test_text_report_and_stderr_in_one_language(inputs: list[str], lang: str) -> None:
    code, out, err = run("check", *inputs, "--lang", lang)
    assert code == 2  # unreadable files
    assert_one_language(out, lang, inputs=tuple(inputs))
    assert_one_language(err, lang, inputs=tuple(inputs))
    said = {"da": ["OVERTRÆDELSE", "ADVARSEL", "(ukendt)", "fejl ", "advarsel ",
                   "sprunget over: ", "a.jsonl:linje 3: ugyldig JSON", "bemærk: ",
                   "1 anden fil ikke læst (.png): ikke opslag", "kunne ikke læses: binær fil",
                   "Lavet ", "Regler: dk ", "Konfiguration: ingen",
                   "audience skal være minors eller adults, ikke »alle«"],
            "en": ["VIOLATION", "WARNING", "(unknown)", "error ", "warning ", "skipped: ",
                   "a.jsonl:line 3: invalid JSON", "note: ", "1 other file not read (.png): not posts",
                   "could not be read: binary file", "Made ", "Rules: dk ", "Configuration: none",
                   'audience must be minors or adults, not "alle"']}[lang]
    for words in said:
        assert words in out, words
    quoted = {"da": "»koden HYTTE15«", "en": '"koden HYTTE15"'}[lang]
    assert quoted in out
    expected_err = {"da": ["skjult: sprunget over: ", "b.csv:linje 3: 3 felter, hvor overskriften "
                           "har 2", "d.csv: filen eller mappen findes ikke",
                           "e.json: tom fil: forventede en eksport", "1 post uden tekst sprunget over"],
                    "en": ["skjult: skipped ", "b.csv:line 3: 3 fields where the header has 2",
                           "d.csv: no such file or folder", "e.json: empty file: expected a platform export",
                           "1 record without text skipped"]}[lang]
    for words in expected_err:
        assert words in err, words


@pytest.mark.parametrize("lang", ["da", "en"])
def test_line_and_github_formats_and_the_step_summary(inputs: list[str], lang: str,
                                                      tmp_path: Path) -> None:
    code, out, _ = run("check", *inputs[:2], "--lang", lang, "--format", "line")
    assert code == 1
    assert_one_language(out, lang, inputs=tuple(inputs))
    assert {"da": ": fejl dk.label-missing ", "en": ": error dk.label-missing "}[lang] in out
    assert {"da": ":3:1: sprunget over linje 3: ugyldig JSON",
            "en": ":3:1: skipped line 3: invalid JSON"}[lang] in out
    summary = tmp_path / f"summary-{lang}.md"
    code, out, _ = run("check", *inputs[:2], "--lang", lang, "--format", "github",
                         env={"GITHUB_STEP_SUMMARY": str(summary)})
    assert code == 1
    assert_one_language(_strip_commands(out), lang, inputs=tuple(inputs))
    assert {"da": "::warning title=sprunget over::", "en": "::warning title=skipped::"}[lang] in out
    table = summary.read_text(encoding="utf-8")
    assert_one_language(table, lang)
    assert {"da": "| skaber | opslag | kommercielle |",
            "en": "| creator | posts | commercial |"}[lang] in table
    assert {"da": "| (ukendt) | 1 | 1 | 0 | 0 | 1 | 0 % |",
            "en": "| (unknown) | 1 | 1 | 0 | 0 | 1 | 0% |"}[lang] in table


def test_github_annotations_past_the_limit_are_said_in_the_language(tmp_path: Path) -> None:
    lines = [json.dumps({"id": f"q{i}", "creator": "mads", "caption": f"Brug koden HYTTE{i} hos "
                                                                     "@hytteliv"})
             for i in range(12)]
    (tmp_path / "many.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    _, out, _ = run("check", str(tmp_path / "many.jsonl"), "--format", "github")
    assert "::notice::2 fund mere står i loggen ovenfor" in out
    assert out.count(": fejl dk.label-missing ") == 2  # the plain log lines
    _, out, _ = run("check", str(tmp_path / "many.jsonl"), "--format", "github", "--lang", "en")
    assert "::notice::2 more findings are listed in the log above" in out


@pytest.mark.parametrize("lang", ["da", "en"])
def test_errors_on_stderr_in_one_language(tmp_path: Path, lang: str,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    source = _inputs(tmp_path / "in")[0]
    said = {"da": {"write": "kan ikke skrives", "input": "læses også af denne kørsel",
                   "rules": "ingen regel er aktiv", "interrupted": "skjult: afbrudt",
                   "strict": "--strict: 2 poster kunne ikke læses"},
            "en": {"write": "cannot write", "input": "is also an input of this run",
                   "rules": "no rule is active", "interrupted": "skjult: interrupted",
                   "strict": "--strict: 2 records could not be read"}}[lang]
    # a report that cannot be written
    code, _, err = run("check", source, "--lang", lang, "-o", str(tmp_path / "nix" / "r.txt"))
    assert code == 2 and said["write"] in err
    assert_one_language(err, lang, inputs=(str(tmp_path),))
    # a report that would overwrite an input
    code, _, err = run("check", source, "--lang", lang, "-o", source)
    assert code == 2 and said["input"] in err
    assert_one_language(err, lang, inputs=(source,))
    # a configuration that leaves no rule active
    (tmp_path / "in" / "skjult.toml").write_text('ignore = ["dk.*"]\n', encoding="utf-8")
    code, _, err = run("check", source, "--lang", lang)
    assert code == 2 and said["rules"] in err
    assert_one_language(err, lang, inputs=(str(tmp_path / "in" / "skjult.toml"),))
    (tmp_path / "in" / "skjult.toml").unlink()
    # --strict with broken records
    code, _, err = run("check", source, "--lang", lang, "--strict")
    assert code == 2 and said["strict"] in err
    assert_one_language(err, lang, inputs=(source,))

    # interrupted while reading
    def interrupted(*args: object, **kwargs: object) -> Iterator[object]:
        raise KeyboardInterrupt
        yield

    monkeypatch.setattr("skjult.cli.read_path", interrupted)
    code, _, err = run("check", source, "--lang", lang)
    assert code == 130 and said["interrupted"] in err
    assert_one_language(err, lang)


def test_the_configuration_chooses_the_language_of_errors_too(tmp_path: Path) -> None:
    (tmp_path / "skjult.toml").write_text('lang = "en"\n', encoding="utf-8")
    (tmp_path / "e.jsonl").write_text("", encoding="utf-8")
    code, _, err = run("check", str(tmp_path / "e.jsonl"))
    assert code == 2 and "e.jsonl: empty file: expected" in err


def test_no_commercial_posts_is_not_all_compliant(tmp_path: Path) -> None:
    path = tmp_path / "p.jsonl"
    path.write_text(json.dumps(POSTS[3]) + "\n", encoding="utf-8")
    _, out, _ = run("check", str(path))
    assert "Ingen kommercielle opslag." in out and "Alle kommercielle" not in out
    _, out, _ = run("check", str(path), "--lang", "en")
    assert "No commercial posts." in out
    path.write_text(json.dumps(POSTS[0]) + "\n", encoding="utf-8")
    _, out, _ = run("check", str(path))
    assert "Alle kommercielle opslag er i orden." in out


def test_counts_have_thousands_separators(tmp_path: Path) -> None:
    path = tmp_path / "p.jsonl"
    path.write_text((json.dumps(POSTS[3]) + "\n") * 1200, encoding="utf-8")
    _, out, _ = run("check", str(path))
    assert "læst 1.200 · tjekket 1.200" in out and "1.200" in out.splitlines()[1]
    _, out, _ = run("check", str(path), "--lang", "en")
    assert "read 1,200 · checked 1,200" in out


def test_machine_formats_keep_codes_and_english_reasons(inputs: list[str]) -> None:
    _, out, _ = run("check", inputs[0], "--format", "json")
    report = json.loads(out)
    assert report["skips"][0]["position"] == "line 3"
    assert report["skips"][0]["reason"].startswith("invalid JSON")
    assert {p["verdict"] for p in report["posts"]} >= {"violation", "warning", "compliant"}
    assert "(unknown)" in {c["creator"] for c in report["creators"]}


# -- terminal: width and colour -------------------------------------------------------------------
class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_creator_table_fits_the_terminal(checker: skjult.Checker,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    long_name = "hyttelivets_allerlaengste_profilnavn_" * 3
    out = _Terminal()
    sink = TextFormatter(out, lang="da")
    from skjult.report.summary import Report

    report = Report()
    for creator in (long_name, "mads"):
        result = checker.check(skjult.Post(text=POSTS[0]["caption"], creator=creator))
        report.add(result)
        sink.post(result)
    sink.finish(report)
    table = out.getvalue().split("\n\n")[0].splitlines()
    assert all(len(line) <= 80 for line in table), table
    assert any(line.startswith("hytteliv") and "…" in line for line in table)
    wide = io.StringIO()  # not a terminal: names in full
    sink = TextFormatter(wide, lang="da")
    sink.finish(report)
    assert long_name in wide.getvalue()


def _narrow_run(checker: skjult.Checker, lang: str, out: io.StringIO) -> str:
    """A text report of three creators and two files — one with a name longer than any
    terminal, one that could not be read — written to ``out``."""
    from skjult.report.summary import Report

    long_file = "eksport/" + "hyttelivets_allerlaengste_mappenavn/" * 4 + "posts.jsonl"
    report = Report()
    sink = TextFormatter(out, lang=lang)
    for creator, caption in (("anne", POSTS[1]["caption"]), ("anne", POSTS[0]["caption"]),
                             ("bo", POSTS[3]["caption"]),
                             ("hyttelivets_allerlaengste_profilnavn_" * 3, POSTS[1]["caption"])):
        result = checker.check(skjult.Post(text=caption, creator=creator, file=long_file))
        report.add(result)
        sink.post(result)
    report.file(long_file).format = "jsonl"
    report.file("c.json").error = Text("binary file: expected a platform export, not bytes "
                                       "{what}", what="00 01 02 03 " * 8)
    sink.finish(report)
    return long_file


def _section(text: str, first: str) -> list[str]:
    """The lines from the one that starts with ``first`` to the next blank line."""
    lines = text.splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith(first))
    return lines[at:lines.index("", at)]


@pytest.mark.parametrize("lang", ["da", "en"])
def test_tables_too_wide_for_the_terminal_become_one_item_a_line(
        checker: skjult.Checker, checker_en: skjult.Checker, lang: str,
        monkeypatch: pytest.MonkeyPatch) -> None:
    run_checker = checker if lang == "da" else checker_en
    monkeypatch.setenv("COLUMNS", "50")
    out = _Terminal()
    long_file = _narrow_run(run_checker, lang, out)
    text = out.getvalue()
    creators = _section(text, "anne")
    assert all(len(line) <= 50 for line in creators), creators
    said = {"da": ("anne — 2 opslag · 2 kommercielle · 1 i orden", "1 overtrædelse",
                   "bo — 1 opslag · 0 kommercielle", "overholdelse 50 %"),
            "en": ("anne — 2 posts · 2 commercial · 1 compliant", "1 violation",
                   "bo — 1 post · 0 commercial", "compliance 50%")}[lang]
    for words in said:
        assert any(words in line for line in creators), (words, creators)
    assert any(line.startswith("hytteliv") and line.endswith("… —") for line in creators)
    assert all(len(line) <= 50 for line in text.splitlines() if line.startswith("──"))
    # the files at 80 columns: names and errors wrapped, nothing cut
    monkeypatch.setenv("COLUMNS", "80")
    out = _Terminal()
    _narrow_run(run_checker, lang, out)
    files = _section(out.getvalue(), {"da": "Filer", "en": "Files"}[lang])
    assert all(len(line) <= 80 for line in files), files
    assert long_file in "".join(line.strip() for line in files)
    assert {"da": "c.json: – · læst 0 · tjekket 0 · sprunget over 0",
            "en": "c.json: – · read 0 · checked 0 · skipped 0"}[lang] in files
    assert " ".join(line.strip() for line in files).count("00 01 02 03") == 8
    # not a terminal: the tables as they were, names in full
    wide = io.StringIO()
    _narrow_run(run_checker, lang, wide)
    header = {"da": r"^Skaber +opslag  kommercielle", "en": r"^Creator +posts  commercial"}[lang]
    assert re.search(header, wide.getvalue(), re.M)
    assert re.search(rf"^{re.escape(long_file)}  jsonl ", wide.getvalue(), re.M)


def test_suppressed_findings_are_counted_in_the_singular_and_the_plural(tmp_path: Path) -> None:
    (tmp_path / "skjult.toml").write_text(
        '[[suppress]]\nrule = "dk.label-missing"\ncreator = "mads"\nreason = "egen butik"\n',
        encoding="utf-8")
    path = tmp_path / "p.jsonl"
    post = {"creator": "mads", "caption": POSTS[1]["caption"]}
    path.write_text(json.dumps(post) + "\n", encoding="utf-8")
    _, out, _ = run("check", str(path), "--lang", "en")
    assert "· 1 finding suppressed with a reason" in out
    _, out, _ = run("check", str(path))
    assert "· 1 fund undertrykt med begrundelse" in out
    path.write_text((json.dumps(post) + "\n") * 2, encoding="utf-8")
    _, out, _ = run("check", str(path), "--lang", "en")
    assert "· 2 findings suppressed with a reason" in out


@pytest.mark.parametrize("lang", ["da", "en"])
def test_step_summary_says_how_the_run_was_made_and_when_nothing_is_commercial(
        tmp_path: Path, lang: str) -> None:
    path = tmp_path / "p.jsonl"
    path.write_text(json.dumps(POSTS[3]) + "\n", encoding="utf-8")
    summary = tmp_path / "summary.md"
    code, _, _ = run("check", str(path), "--format", "github", "--lang", lang, "--no-config",
                     env={"GITHUB_STEP_SUMMARY": str(summary)})
    assert code == 0
    text = summary.read_text(encoding="utf-8")
    assert_one_language(text, lang)
    made = {"da": r"Lavet \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC af skjult \S+ · regelsæt dk \S+ · "
                  r"konfiguration: ingen · \d+ aktive regler, 0 slået fra",
            "en": r"Made \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC by skjult \S+ · rule pack dk \S+ · "
                  r"configuration: none · \d+ rules active, 0 switched off"}[lang]
    assert re.search(made, text), text
    nothing = {"da": "Ingen kommercielle opslag.", "en": "No commercial posts."}[lang]
    assert nothing in text.splitlines()
    path.write_text(json.dumps(POSTS[1]) + "\n", encoding="utf-8")  # a commercial post
    summary.unlink()
    run("check", str(path), "--format", "github", "--lang", lang, "--no-config",
        env={"GITHUB_STEP_SUMMARY": str(summary)})
    assert nothing not in summary.read_text(encoding="utf-8")


@pytest.mark.parametrize(("env", "flag", "coloured"), [
    ({}, None, False),  # not a terminal
    ({"FORCE_COLOR": "1"}, None, True),
    ({"FORCE_COLOR": "1", "NO_COLOR": "1"}, None, False),
    ({"NO_COLOR": "1"}, "--color", True),  # the option wins
    ({"FORCE_COLOR": "1"}, "--no-color", False),
])
def test_colour_follows_no_color_and_force_color(tmp_path: Path, env: dict[str, str],
                                                 flag: str | None, coloured: bool) -> None:
    path = tmp_path / "p.jsonl"
    path.write_text(json.dumps(POSTS[1]) + "\n", encoding="utf-8")
    full = {"NO_COLOR": "", "FORCE_COLOR": "", **env}
    _, out, _ = run("check", str(path), *([flag] if flag else []), env=full)
    assert ("\x1b[" in out) is coloured


# -- the message type and the catalogue -----------------------------------------------------------
def test_text_is_english_str_and_survives_pickling_and_exceptions() -> None:
    message = Text("{file}: {problem}", file="x.csv",
                   problem=Text("cannot be read: {error}", error="Permission denied"))
    assert message == "x.csv: cannot be read: Permission denied" and isinstance(message, str)
    again = pickle.loads(pickle.dumps(message))
    assert localize(again, "da") == "x.csv: kan ikke læses: Permission denied"
    assert isinstance(str(ValueError(message)), Text)
    counted = Text("{count:n|record|records} could not be read", count=1234)
    assert counted == "1,234 records could not be read"
    assert localize(Text("--strict: {count:n|record|records} could not be read", count=1), "da") \
        == "--strict: 1 post kunne ikke læses"
    assert localize(Text("; did you mean {name:q}?", name="Tekst"), "en") == '; did you mean "Tekst"?'
    assert localize(Text("; did you mean {name:q}?", name="Tekst"), "da") == "; mente du »Tekst«?"
    assert localize("plain input", "da") == "plain input"
    skip = Skip("a.csv", Text("line {number}", number=3), Text("broken CSV: {error}", error="x"))
    assert localize(i18n.described(skip), "da") == "a.csv:linje 3: ødelagt CSV: x"


def _templates() -> dict[str, list[str]]:
    """Every ``Text("...")`` template in the source, with where it is used. A ``Text`` whose
    template is not a literal could not be checked, so there is none."""
    found: dict[str, list[str]] = {}
    for path in sorted(SRC.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                    and node.func.id == "Text"):
                continue
            where = f"{path.relative_to(SRC)}:{node.lineno}"
            if path.name == "i18n.py" and node.args and isinstance(node.args[0], ast.Name):
                continue  # Text's own rebuilding after pickling
            first = node.args[0] if node.args else None
            assert isinstance(first, ast.Constant) and isinstance(first.value, str), \
                f"{where}: Text() needs a literal template"
            found.setdefault(first.value, []).append(where)
    return found


def _fields(template: str) -> dict[str, str]:
    """Each field of a template with the kind of its format spec (plural forms differ)."""
    return {name: (spec or "").split("|")[0] for _, name, spec, _ in string.Formatter().parse(template)
            if name is not None}


def test_the_danish_catalogue_is_complete_and_has_nothing_unused() -> None:
    used = _templates()
    danish = i18n.catalogue("da")
    missing = sorted(set(used) - set(danish))
    unused = sorted(set(danish) - set(used))
    assert not missing, "no Danish wording for:\n" + "\n".join(f"{t!r} ({used[t][0]})" for t in missing)
    assert not unused, "Danish wording for no template:\n" + "\n".join(map(repr, unused))
    for english, said in danish.items():
        assert _fields(said) == _fields(english), english
        for _, _, spec, _ in string.Formatter().parse(said):
            assert spec is None or spec in ("", "n", "q") or re.fullmatch(r"n\|[^|]+\|[^|]+", spec), \
                (english, spec)
        params = {name: 2 for name in _fields(english)}
        assert render_both(english, said, params)


def render_both(english: str, danish: str, params: dict[str, object]) -> bool:
    return bool(i18n.render(english, params, "en")) and bool(i18n.render(danish, params, "da"))


def test_english_messages_never_quote_with_guillemets() -> None:
    for template in _templates():
        assert not QUOTES.search(template), template
