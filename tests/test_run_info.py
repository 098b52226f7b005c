"""How a run was made is stated in every report, --show-settings shows where each setting comes
from, and a selector that names no rule stops the run instead of silently selecting nothing."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from skjult import Checker
from skjult.cli import main
from skjult.config import Config, ConfigError, load_config
from skjult.rules.pack import available_packs

CAPTIONS = [
    {"id": "p1", "creator": "sofie", "caption": "Mine nye løbesko fra @fartsko 👟 brug koden SOFIE15"},
    {"id": "p2", "creator": "sofie", "caption": "Søndagstur i skoven med hunden"},
    {"id": "p3", "creator": "malte", "caption": "Reklame for @kaffebaren | ny espresso ☕"},
]


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture()
def folder(tmp_path: Path) -> Path:
    (tmp_path / "posts.jsonl").write_text(
        "".join(json.dumps(c, ensure_ascii=False) + "\n" for c in CAPTIONS), encoding="utf-8")
    return tmp_path


def configure(folder: Path, text: str) -> Path:
    path = folder / "skjult.toml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(("text", "line", "hint"), [
    ('ignore = ["dk.label-mising"]\n', 1, 'did you mean "dk.label-missing"?'),
    ('lang = "da"\nselect = [\n  "dk.label-*",\n  "dk.labl*",\n]\n', 4, 'did you mean "dk.label*"?'),
    ('[severity]\n"dk.label-wek" = "info"\n', 2, 'did you mean "dk.label-weak"?'),
])
def test_a_selector_that_matches_no_rule_is_an_error_with_line_and_hint(
        folder: Path, text: str, line: int, hint: str) -> None:
    config = configure(folder, text)
    code, out, err = run("check", str(folder / "posts.jsonl"))
    assert code == 2
    assert f"{config}:{line}:" in err and "matches no rule" in err and hint in err
    assert out == ""


def test_categories_and_other_packs_selectors_are_accepted(folder: Path) -> None:
    # a configuration shared by dk and uk runs names both packs' rules
    configure(folder, 'ignore = ["uk.*", "product-tobacco", "us.review-unlabelled"]\n')
    code, _, err = run("check", str(folder / "posts.jsonl"), "-f", "json")
    assert code == 1, err


def test_library_configuration_is_checked_too() -> None:
    with pytest.raises(ConfigError, match="matches no rule"):
        Checker(config=Config(ignore=("dk.no-such-rule",)))
    assert Checker(config=Config(ignore=("dk.label-weak",))).ignored == 1


def test_json_report_says_how_it_was_made(folder: Path) -> None:
    config = configure(folder, 'ignore = ["dk.label-weak"]\n[[suppress]]\nrule = "dk.code-unlabelled"\n'
                       'creator = "sofie"\nreason = "aftalt med jura"\n')
    _, out, _ = run("check", str(folder / "posts.jsonl"), "-f", "json")
    report = json.loads(out)
    runinfo = report["run"]
    assert report["config"] == str(config) == runinfo["config"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", runinfo["date"])
    assert runinfo["inputs"] == [str(folder / "posts.jsonl")]
    (pack,) = runinfo["packs"]
    assert pack["name"] == "dk" and re.fullmatch(r"\d{4}\.\d+\.\d+", pack["version"])
    assert re.fullmatch(r"[0-9a-f]{12}", pack["digest"])
    total = len(Checker().rules)
    assert runinfo["rules"] == {"active": total - 1, "ignored": 1}
    assert runinfo["suppressions"] == 1
    origins = {s["name"]: s["origin"] for s in runinfo["settings"]}
    assert origins["ignore"] == f"{config}:1" and origins["format"] == "command line"
    assert origins["jurisdiction"] == "default"


def test_a_changed_pack_changes_the_digest(tmp_path: Path) -> None:
    from skjult.runinfo import pack_digest

    pack = tmp_path / "pack"
    (pack / "rules").mkdir(parents=True)
    (pack / "rules" / "a.yml").write_text("id: x.a\n", encoding="utf-8")
    before = pack_digest([pack])
    (pack / "rules" / "a.yml").write_text("id: x.b\n", encoding="utf-8")
    assert pack_digest([pack]) != before


def test_sarif_and_csv_per_creator_carry_the_run(folder: Path) -> None:
    _, out, _ = run("check", str(folder / "posts.jsonl"), "-f", "sarif", "--no-config")
    sarif_run = json.loads(out)["runs"][0]
    assert sarif_run["properties"]["skjult"]["packs"][0]["name"] == "dk"
    assert sarif_run["invocations"][0]["startTimeUtc"].endswith("Z")
    _, out, _ = run("check", str(folder / "posts.jsonl"), "-f", "csv", "--per", "creator",
                       "--no-config")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [r["creator"] for r in rows] == ["malte", "sofie"]
    for row in rows:
        assert row["packs"].startswith("dk 2026.") and row["config"] == ""
        assert int(row["rules_active"]) == len(Checker().rules) and row["rules_ignored"] == "0"
        assert row["inputs"] == str(folder / "posts.jsonl") and row["run_date"].endswith("Z")


def test_show_settings_names_each_origin_and_checks_nothing(folder: Path) -> None:
    config = configure(folder, 'lang = "en"\n\nfail_level = "warning"\n')
    code, out, _ = run("check", str(folder / "posts.jsonl"), "--show-settings", "-j", "uk")
    assert code == 0
    lines = {line.split("=")[0].strip(): line for line in out.splitlines()}
    assert lines["jurisdiction"].endswith("# command line") and "= uk" in lines["jurisdiction"]
    assert lines["lang"].endswith(f"# {config}:1")
    assert lines["fail_level"].endswith(f"# {config}:3")
    assert lines["format"].endswith("# default")
    assert "sofie" not in out  # nothing was checked


def test_version_flag() -> None:
    code, out, _ = run("-V")
    assert code == 0 and re.fullmatch(r"skjult, version \d+\.\d+\.\d+\n", out)


def test_rules_test_runs_every_pack_by_default(tmp_path: Path) -> None:
    code, out, _ = run("rules", "test", "--no-config", "--json")
    assert code == 0
    packs = {r["rule"].split(".")[0] for r in json.loads(out)["rules"]}
    assert packs == set(available_packs())
    code, out, _ = run("rules", "test", "--no-config", "--json", "-j", "uk")
    assert {r["rule"].split(".")[0] for r in json.loads(out)["rules"]} == {"uk"}


def test_selector_lines_follow_multiline_lists(tmp_path: Path) -> None:
    path = tmp_path / "skjult.toml"
    path.write_text('select = [\n  "dk.label-*",\n  # a comment\n  "minors",\n]\n', encoding="utf-8")
    assert load_config(path).selector_lines == {("select", "dk.label-*"): 2, ("select", "minors"): 4}
