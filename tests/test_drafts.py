"""Caption drafts: front matter, positions in the file, the CI/editor formats (golden files),
SARIF against the 2.1.0 schema, --fix/--diff round trips, and the real pre-commit hook."""

from __future__ import annotations

import copy
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from click.testing import CliRunner

import skjult
from skjult.cli import main
from skjult.model import Opened, Post, Skip
from skjult.readers.detect import read_path

HERE = Path(__file__).parent
DRAFTS = HERE / "fixtures" / "drafts"
GOLDEN = HERE / "golden"
REPO = HERE.parent
SARIF_SCHEMA = HERE / "spec" / "sarif-schema-2.1.0.json"  # copied, see tests/spec/README.md


def run(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), env=env)
    return result.exit_code, result.stdout, result.stderr


def in_drafts(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    """Run from inside the drafts folder, so that file names are as a repository has them."""
    before = Path.cwd()
    os.chdir(DRAFTS)
    try:
        return run(*args, env=env)
    finally:
        os.chdir(before)


def test_front_matter_sets_metadata_and_positions_point_into_the_file() -> None:
    [post] = [i for i in read_path(str(DRAFTS / "trailfox.md")) if isinstance(i, Post)]
    assert post.creator == "maja.moves" and post.platform == "instagram"
    assert post.meta == {"brand": "@trailfox", "paid_partnership": True}  # a brand: commercial
    assert post.text.startswith("Tre ture i Rold Skov") and post.offset[1] == 5
    result = skjult.check(post)  # type: ignore[arg-type]
    weak = next(f for f in result.to_dict()["findings"] if f["rule"] == "dk.label-weak")
    file_text = (DRAFTS / "trailfox.md").read_text(encoding="utf-8")
    where = weak["file"]
    assert file_text[where["start"]:where["end"]] == "#samarbejde"
    assert where["line"] == 8 and file_text.splitlines()[7][where["column"] - 1:].startswith("#sam")


def test_broken_front_matter_is_a_skip_with_the_reason(tmp_path: Path) -> None:
    draft = tmp_path / "x.md"
    draft.write_text("---\ncreator: [unclosed\n---\nHej\n", encoding="utf-8")
    items = [i for i in read_path(str(draft)) if not isinstance(i, Opened)]
    assert len(items) == 1 and isinstance(items[0], Skip) and "front matter" in items[0].reason


@pytest.mark.parametrize("fmt", ["line", "github"])
def test_golden_text_formats(fmt: str) -> None:
    code, out, _ = in_drafts("check", ".", "--format", fmt)
    assert code == 1
    assert out == (GOLDEN / f"drafts.{fmt}.txt").read_text(encoding="utf-8")


def without_run_facts(sarif: dict[str, Any]) -> dict[str, Any]:
    """The SARIF log without what differs from run to run: times, and the run facts (date,
    pack digest, settings) in the run's property bag."""
    sarif = copy.deepcopy(sarif)
    for run_ in sarif["runs"]:
        run_["properties"].pop("skjult", None)
        for invocation in run_.get("invocations", []):
            invocation.pop("startTimeUtc", None)
            invocation.pop("endTimeUtc", None)
    return sarif


def test_golden_sarif_and_schema() -> None:
    _, out, _ = in_drafts("check", ".", "--format", "sarif")
    sarif = json.loads(out)
    golden = json.loads((GOLDEN / "drafts.sarif.json").read_text(encoding="utf-8"))
    assert without_run_facts(sarif) == without_run_facts(golden)
    facts = sarif["runs"][0]["properties"]["skjult"]
    assert facts["packs"][0]["name"] == "dk" and facts["inputs"] == ["."]
    schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
    jsonschema.validate(sarif, schema)
    run_ = sarif["runs"][0]
    assert run_["columnKind"] == "unicodeCodePoints"
    rules = run_["tool"]["driver"]["rules"]
    assert all(r["helpUri"].startswith("https://") for r in rules)
    result = next(r for r in run_["results"] if r["ruleId"] == "dk.label-weak"
                  and "trailfox" in r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"])
    region = result["locations"][0]["physicalLocation"]["region"]
    assert (region["startLine"], region["startColumn"], region["snippet"]["text"]) == \
        (8, 6, "#samarbejde")
    assert rules[result["ruleIndex"]]["id"] == "dk.label-weak"


def test_github_format_is_chosen_under_actions_and_writes_the_step_summary(tmp_path: Path) -> None:
    summary = tmp_path / "summary.md"
    code, out, _ = in_drafts("check", ".", env={"GITHUB_ACTIONS": "true",
                                                "GITHUB_STEP_SUMMARY": str(summary)})
    assert code == 1 and out.startswith("::")
    assert "| maja.moves | 3 | 3 | 1 | 0 | 2 | 33% |" in summary.read_text(encoding="utf-8")


def test_github_annotations_are_capped_per_step(tmp_path: Path) -> None:
    for i in range(14):
        (tmp_path / f"d{i}.txt").write_text("Brug koden SOMMER20 hos @butik\n", encoding="utf-8")
    code, out, _ = run("check", str(tmp_path), "--format", "github")
    assert code == 1 and out.count("::error ") == 10
    assert "4 more findings" in out and out.count(": error dk.label-missing") == 4


def test_diff_shows_the_change_and_changes_nothing(tmp_path: Path) -> None:
    work = shutil.copytree(DRAFTS, tmp_path / "drafts")
    before = (work / "trailfox.md").read_text(encoding="utf-8")
    code, out, _ = run("check", str(work / "trailfox.md"), "--diff")
    assert "+Reklame for @trailfox | Tre ture i Rold Skov" in out and "-#løb #samarbejde" in out
    assert (work / "trailfox.md").read_text(encoding="utf-8") == before
    assert code == 1


def test_fix_round_trip_then_the_drafts_pass(tmp_path: Path) -> None:
    work = shutil.copytree(DRAFTS, tmp_path / "drafts")
    code, _, err = run("check", str(work), "--fix", "--format", "line")
    assert code == 0 and "fixed" in err
    fixed = (work / "trailfox.md").read_text(encoding="utf-8")
    assert fixed.startswith("---\ncreator: maja.moves\n")  # front matter untouched
    assert "Reklame for @trailfox | Tre ture i Rold Skov" in fixed and fixed.endswith("#løb\n")
    assert (work / "morgen.txt").read_text(encoding="utf-8") == \
        (DRAFTS / "morgen.txt").read_text(encoding="utf-8")
    assert run("check", str(work), "--format", "line") == (0, "", "")


def test_fix_says_what_it_cannot_fix_and_never_edits_exports(tmp_path: Path) -> None:
    draft = tmp_path / "kasino.txt"
    draft.write_text("Reklame for @spilnord | Få 100 kr i bonus når du spiller casino i dag!\n",
                     encoding="utf-8")
    export = tmp_path / "posts.jsonl"
    line = '{"caption": "Brug koden X20 hos @butik", "creator": "a"}\n'
    export.write_text(line, encoding="utf-8")
    code, _, err = run("check", str(draft), str(export), "--fix")
    assert export.read_text(encoding="utf-8") == line
    assert "never edited" in err
    if "cannot fix" in err:  # the gambling rules need a person, not a rewrite
        assert "dk.gambling" in err
    assert code == 1


def test_stdin_json_object_answers_with_one_json_object() -> None:
    request = json.dumps({"caption": "Min nye cykel 🚲", "creator": "ole", "paid_partnership": True})
    result = CliRunner().invoke(main, ["check", "-", "--input-format", "json", "--format", "json"],
                                input=request)
    answer = json.loads(result.stdout)
    assert answer["posts"][0]["verdict"] == "violation" and result.exit_code == 1


@pytest.mark.skipif(shutil.which("git") is None, reason="pre-commit needs git")
def test_real_pre_commit_hook(tmp_path: Path) -> None:
    """pre-commit (from PyPI) installs this repository's hook as a user would and runs it."""
    project = tmp_path / "content"
    project.mkdir()
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "cache"), "GIT_AUTHOR_NAME": "t",
           "GIT_AUTHOR_EMAIL": "t@example.com", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@example.com"}
    env.pop("GITHUB_ACTIONS", None)

    def sh(*cmd: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(cmd, cwd=project, env=env, capture_output=True, text=True,
                              timeout=900, check=False)

    sh("git", "init", "-q")
    (project / "unlabelled.md").write_text("Brug koden LINE10 hos @skoshop 👟\n", encoding="utf-8")
    (project / "labelled.md").write_text("Reklame for @skoshop | Brug koden LINE10 👟\n",
                                         encoding="utf-8")
    sh("git", "add", ".")
    pre_commit = [sys.executable, "-m", "pre_commit", "try-repo", str(REPO), "skjult"]
    failing = sh(*pre_commit, "--files", "unlabelled.md")
    assert failing.returncode == 1, failing.stdout + failing.stderr
    assert "unlabelled.md:1:" in failing.stdout and "dk.label-missing" in failing.stdout
    passing = sh(*pre_commit, "--files", "labelled.md")
    assert passing.returncode == 0, passing.stdout + passing.stderr
