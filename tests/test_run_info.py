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
    config = configure(folder, 'ignore = ["dk.label-weak"]\n[[suppress]]\nrule = "dk.label-missing"\n'
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


def test_a_suppression_naming_no_rule_is_an_error(folder: Path) -> None:
    config = configure(folder, 'lang = "en"\n[[suppress]]\nrule = "dk.label-mising"\n'
                       'creator = "sofie"\nreason = "typo"\n')
    code, _, err = run("check", str(folder / "posts.jsonl"))
    assert code == 2 and f"{config}:2" in err and 'did you mean "dk.label-missing"?' in err


def test_no_active_rule_is_an_error_for_library_callers_too(folder: Path) -> None:
    from skjult.rules.ruleset import NoActiveRule

    with pytest.raises(NoActiveRule, match="no rule is active"):
        Checker(config=Config(ignore=("dk.*",)))
    configure(folder, 'ignore = ["dk.*"]\n')
    code, out, err = run("check", str(folder / "posts.jsonl"), "--lang", "en")
    assert code == 2 and "no rule is active" in err and out == ""


def test_rules_test_tests_rules_the_configuration_switches_off(folder: Path) -> None:
    config = configure(folder, 'ignore = ["dk.label-*"]\n')
    code, out, _ = run("rules", "test", "--json", "-j", "dk", "--config", str(config))
    tested = {r["rule"] for r in json.loads(out)["rules"]}
    assert "dk.label-weak" in tested and code == 0


def test_a_placeholder_nothing_fills_is_refused_when_the_pack_loads(tmp_path: Path) -> None:
    from skjult.errors import RuleError
    from skjult.rules.pack import load_pack

    pack = tmp_path / "ours"
    (pack / "rules").mkdir(parents=True)
    (pack / "vocabulary").mkdir()
    (pack / "pack.yml").write_text("pack: ours\nlanguage: da\n", encoding="utf-8")
    (pack / "vocabulary" / "words.yml").write_text(
        "termsets:\n- id: ours.code\n  kind: signal\n  strength: hard\n  title: kode\n"
        "  words: [rabatkode]\n",
        encoding="utf-8")
    (pack / "rules" / "code.yml").write_text(
        "id: ours.code\nkind: existence\ncategory: label-missing\nseverity: error\n"
        "termsets: [ours.code]\nmessage:\n  da: \"»{text}« ({evidnce})\"\n  en: \"{text}\"\n"
        "source: https://example.org/\n", encoding="utf-8")
    with pytest.raises(RuleError, match=r"\{evidnce\} in message") as caught:
        load_pack(pack)
    assert caught.value.line == 6 and 'did you mean "evidence"?' in str(caught.value)


def test_output_closed_early_is_never_a_pass(tmp_path: Path) -> None:
    import subprocess
    import sys

    quiet = tmp_path / "quiet.jsonl"
    quiet.write_text("".join(json.dumps({"caption": f"Gåtur i regnvejr nummer {i}"}) + "\n"
                             for i in range(4000)), encoding="utf-8")
    loud = tmp_path / "loud.jsonl"
    loud.write_text(json.dumps({"caption": "Tak for gaven @lampefabrikken"}) + "\n"
                    + quiet.read_text(encoding="utf-8"), encoding="utf-8")
    for path, expected in ((quiet, 2), (loud, 1)):
        check = subprocess.Popen([sys.executable, "-m", "skjult.cli", "check", str(path),
                                  "--no-config", "-f", "jsonl", "--lang", "en"],
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        assert check.stdout is not None
        check.stdout.readline()
        check.stdout.close()  # the reader has seen enough, as `| head -1`
        assert check.wait(timeout=120) == expected
        err = check.stderr.read() if check.stderr else ""
        assert "Traceback" not in err
        if expected == 2:
            assert "not every post was checked" in err
