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
from skjult.items import Opened, Skip
from skjult.model import Post
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
    assert post.meta.stated() == {"brand": "@trailfox", "paid_partnership": True}  # a brand: commercial
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
    assert "| maja.moves | 3 | 3 | 1 | 0 | 2 | 33 % |" in summary.read_text(encoding="utf-8")


def test_github_annotations_are_capped_per_step(tmp_path: Path) -> None:
    for i in range(14):
        (tmp_path / f"d{i}.txt").write_text("Brug koden SOMMER20 hos @butik\n", encoding="utf-8")
    code, out, _ = run("check", str(tmp_path), "--format", "github", "--lang", "en")
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
    assert code == 0 and "rettede" in err  # "fixed", in the run's language
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
    code, _, err = run("check", str(draft), str(export), "--fix", "--lang", "en")
    assert export.read_text(encoding="utf-8") == line
    assert "never edited" in err
    assert "cannot fix dk.gambling" in err  # the gambling rules need a person, not a rewrite
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


# -- evidence from front matter, findings about the whole post ------------------------------


def test_a_brand_in_front_matter_is_named_as_the_drafts_advertiser() -> None:
    [post] = [i for i in read_path(str(DRAFTS / "lampe.md")) if isinstance(i, Post)]
    assert post.declared == ("brand",)
    result = skjult.check(post)  # type: ignore[arg-type]
    [finding] = result.findings
    assert finding.whole_post and (finding.start, finding.end, finding.text) == (0, 0, "")
    assert "(udkastet angiver @lampeloftet som annoncør)" in finding.message
    assert [s.termset for s in result.commercial.signals] == ["draft.brand"]
    english = skjult.Checker("dk", lang="en").check(post)
    assert "(the draft names @lampeloftet as advertiser)" in english.findings[0].message
    [trailfox] = [i for i in read_path(str(DRAFTS / "trailfox.md")) if isinstance(i, Post)]
    missing = next(f for f in skjult.check(trailfox).findings  # type: ignore[arg-type]
                   if f.rule == "dk.label-missing")
    assert "(udkastet angiver @trailfox som annoncør + »koden MAJA15«)" in missing.message


def test_a_paid_partnership_in_front_matter_says_so(tmp_path: Path) -> None:
    draft = tmp_path / "tur.md"
    draft.write_text("---\npaid_partnership: true\n---\nWeekendtur til Skagen 🌊\n", encoding="utf-8")
    [post] = [i for i in read_path(str(draft)) if isinstance(i, Post)]
    [finding] = skjult.check(post).findings  # type: ignore[arg-type]
    assert finding.whole_post and "(udkastet angiver betalt partnerskab)" in finding.message


def test_whole_post_findings_point_at_the_caption_in_every_format() -> None:
    _, line, _ = in_drafts("check", ".", "--format", "line", "--no-config")
    assert next(x for x in line.splitlines() if x.startswith("lampe.md")).startswith("lampe.md:5:1:")
    _, github, _ = in_drafts("check", ".", "--format", "github", "--no-config")
    assert "file=lampe.md,line=5,col=1,endLine=6,endColumn=42," in github
    _, sarif, _ = in_drafts("check", ".", "--format", "sarif", "--no-config")
    result = next(r for r in json.loads(sarif)["runs"][0]["results"]
                  if r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "lampe.md")
    region = result["locations"][0]["physicalLocation"]["region"]
    assert (region["startLine"], region["startColumn"], region["endLine"]) == (5, 1, 6)
    assert region["snippet"]["text"] == "Aftenlys i stuen 💡\nDen nye lampe giver det helt rigtige skær"
    assert result["properties"]["wholePost"] is True
    _, text, _ = in_drafts("check", ".", "--no-config", "--lang", "en")
    block = text[text.index("lampe.md"):]
    assert "dk.label-missing  (whole post)" in block and "⟦" not in block.split("\n")[1]
    stdin = CliRunner().invoke(main, ["check", "-", "--paid-partnership", "--format", "line", "--lang", "en",
                                      "--no-config"], input="Weekendtur til Skagen 🌊\n")
    assert "(post ?, whole post)" in stdin.stdout and stdin.exit_code == 1


def test_a_weak_label_that_is_the_evidence_is_one_finding_in_a_draft() -> None:
    _, out, _ = in_drafts("check", ".", "--format", "json", "--no-config")
    tekop = next(p for p in json.loads(out)["posts"] if p["id"] == "tekop.md")
    [finding] = tekop["findings"]
    assert (finding["rule"], finding["supersedes"], finding["text"]) == \
        ("dk.label-missing", ["dk.label-weak"], "Tak for gaven")


def test_fix_takes_out_the_weak_tag_a_missing_label_stands_for(tmp_path: Path) -> None:
    draft = tmp_path / "jul.txt"
    draft.write_text("Julebryggen fra @kaffebaren er landet ☕ #samarbejde\n", encoding="utf-8")
    code, _, _ = run("check", str(draft), "--fix", "--no-config")
    assert code == 0
    assert draft.read_text(encoding="utf-8") == \
        "Reklame for @kaffebaren | Julebryggen fra @kaffebaren er landet ☕\n"


# -- inline suppression in a draft's front matter ------------------------------------------


HONNING_REASON = "Egen webshop, ingen betaling; godkendt af juridisk afdeling (sag 2026-17)"


def test_a_drafts_own_suppression_is_reported_like_the_configurations() -> None:
    _, out, _ = in_drafts("check", ".", "--format", "json", "--no-config")
    report = json.loads(out)
    honning = next(p for p in report["posts"] if p["id"] == "honning.md")
    assert honning["verdict"] == "compliant" and honning["findings"] == []
    assert honning["suppressed"] == [{"rule": "dk.label-weak", "start": 0, "end": 11,
                                      "reason": HONNING_REASON, "suppression": "honning.md:4"}]
    assert report["totals"]["suppressed"] == 1
    assert {"where": "honning.md:4", "rule": "dk.label-weak", "creator": None,
            "post": "honning.md", "reason": HONNING_REASON, "expires": None, "status": "used",
            "findings": 1} in report["suppressions"]
    _, sarif, _ = in_drafts("check", ".", "--format", "sarif", "--no-config")
    result = next(r for r in json.loads(sarif)["runs"][0]["results"] if r.get("suppressions"))
    [suppression] = result["suppressions"]
    assert suppression["justification"] == HONNING_REASON and suppression["status"] == "accepted"
    assert suppression["location"]["physicalLocation"]["region"]["startLine"] == 4


def _draft(folder: Path, name: str, skjult_entry: str,
           caption: str = "Sponsoreret: honning fra @bigaarden 🍯") -> Path:
    path = folder / name
    path.write_text(f"---\ncreator: ida\nskjult:\n{skjult_entry}---\n{caption}\n", encoding="utf-8")
    return path


def test_suppressions_by_category_or_glob_and_their_expiry(tmp_path: Path) -> None:
    _draft(tmp_path, "kategori.md", "  ignore: label-weak\n  reason: accepteret\n")
    _draft(tmp_path, "glob.md", "  ignore: ['dk.label-*']\n  reason: accepteret\n")
    _draft(tmp_path, "udloebet.md", "  ignore: [dk.label-weak]\n  reason: gammel aftale\n"
           "  expires: 2020-01-01\n")
    code, out, err = run("check", str(tmp_path), "--format", "json", "--no-config")
    posts = {p["id"]: p for p in json.loads(out)["posts"]}
    assert posts["kategori.md"]["suppressed"] and posts["glob.md"]["suppressed"]
    assert [f["rule"] for f in posts["udloebet.md"]["findings"]] == ["dk.label-weak"]
    assert "udloebet.md:4" in err and "2020-01-01" in err and code == 0


def test_an_unused_suppression_in_a_draft_is_reported(tmp_path: Path) -> None:
    _draft(tmp_path, "ren.md", "  ignore: [dk.label-weak]\n  reason: gammel aftale\n",
           caption="Morgenkaffe på altanen ☕")
    code, _, err = run("check", str(tmp_path), "--no-config", "--format", "line")
    assert code == 0 and "ren.md:4" in err and "dk.label-weak" in err


@pytest.mark.parametrize(("entry", "where", "says"), [
    ("  ignore:\n    - dk.label-weak\n    - dk.label-wek\n  reason: ok\n", "line 6",
     'did you mean "dk.label-weak"?'),
    ("  ignore: [dk.label-weak]\n", "line 3", "skjult needs a reason"),
    ("  ignore: [dk.label-weak]\n  reason: '  '\n", "line 5", "skjult needs a reason"),
    ("  ignore: []\n  reason: ok\n", "line 4", "skjult.ignore must list"),
    ("  ignore: [dk.label-weak]\n  reason: ok\n  expire: 2026-12-31\n", "line 6",
     'did you mean "expires"?'),
    ("  ignore: [dk.label-weak]\n  reason: ok\n  expires: snart\n", "line 6",
     "skjult.expires must be a date"),
    ("  - dk.label-weak\n", "line 3", "skjult must be a mapping"),
])
def test_a_suppression_that_cannot_be_used_makes_the_draft_unreadable(
        tmp_path: Path, entry: str, where: str, says: str) -> None:
    _draft(tmp_path, "forkert.md", entry)
    (tmp_path / "andet.txt").write_text("Brug koden HONNING10 hos @bigaarden 🍯\n", encoding="utf-8")
    code, out, err = run("check", str(tmp_path), "--format", "json", "--no-config", "--lang", "en")
    assert code == 2  # the run goes on, and says the draft could not be read
    assert f"forkert.md: {where}: " in err and says in err, err
    report = json.loads(out)
    assert report["files"]["forkert.md" if "forkert.md" in report["files"] else
                           str(tmp_path / "forkert.md")]["error"]
    assert [p["id"] for p in report["posts"]] == ["andet.txt"]  # the other draft is checked


def test_a_rule_of_another_built_in_pack_may_be_suppressed(tmp_path: Path) -> None:
    _draft(tmp_path, "uk.md", "  ignore: [uk.label-risky]\n  reason: also checked with -j uk\n")
    [post] = [i for i in read_path(str(tmp_path / "uk.md")) if isinstance(i, Post)]
    assert [s.rule for s in post.suppress] == ["uk.label-risky"]
    code, _, _ = run("check", str(tmp_path), "--no-config", "--format", "line")
    assert code == 0  # read (a warning only), and the suppression reported unused on stderr


# -- every human report points into the file, below the front matter -----------------------------
FRONT = "---\ncreator: kira\nplatform: instagram\n---\n"  # four lines of front matter


def test_text_html_and_line_reports_give_the_line_in_the_file(tmp_path: Path) -> None:
    # the caption starts on line 5; "Tak for gaven" is on line 6 of the file, line 2 of the caption
    (tmp_path / "kop.md").write_text(FRONT + "Søndag med te 🍵\nTak for gaven @tepotten\n",
                                     encoding="utf-8")
    [post] = [i for i in read_path(str(tmp_path / "kop.md")) if isinstance(i, Post)]
    assert post.source == f"{tmp_path / 'kop.md'}:line 5"  # where the caption starts
    before = Path.cwd()
    os.chdir(tmp_path)
    try:
        _, text, _ = run("check", "kop.md", "--no-config")
        _, line, _ = run("check", "kop.md", "--no-config", "--format", "line")
        _, html, _ = run("check", "kop.md", "--no-config", "--format", "html", "--lang", "en")
        _, data, _ = run("check", "kop.md", "--no-config", "--format", "json")
    finally:
        os.chdir(before)
    [finding] = [f for f in json.loads(data)["posts"][0]["findings"] if f["rule"] == "dk.label-missing"]
    assert finding["line"] == 2 and finding["file"]["line"] == 6
    assert "kop.md:linje 5" in text and "dk.label-missing  6:1  »Tak for gaven«" in text
    # (the report's last lines say when it was made: "02:10:43" holds "2:1" too)
    findings_part = text.split("\nLavet ")[0]
    assert "2:1" not in findings_part and "kop.md:linje 1" not in text
    assert line.startswith("kop.md:6:1: fejl dk.label-missing ")
    assert "kop.md:line 5" in html and "line 6, character 1" in html
    assert "line 2, character 1" not in html


def test_a_whole_post_finding_in_a_draft_says_so_in_line_format(tmp_path: Path) -> None:
    (tmp_path / "jakke.md").write_text('---\nbrand: "@frakkefabrikken"\n---\n\nMin nye jakke 🧥\n',
                                       encoding="utf-8")
    for lang, said in (("da", "(hele opslaget)"), ("en", "(whole post)")):
        code, out, _ = run("check", str(tmp_path / "jakke.md"), "--no-config", "--format", "line",
                           "--lang", lang)
        [first] = out.splitlines()
        assert code == 1 and first.endswith(" " + said), first
        assert f"jakke.md:4:1: {'fejl' if lang == 'da' else 'error'} dk.label-missing " in first
        assert "(post " not in first and "(opslag " not in first  # a draft's place is the file
