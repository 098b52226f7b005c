"""The GitHub Action (``action.yml``): its inputs are declared, and its script, run in a real git
repository as GitHub runs it, checks the drafts a change touched and annotates them."""

from __future__ import annotations

import os
import re
from pathlib import Path

import yaml
from action_repo import ROOT, SCRIPT, git, run_action, scratch_repository

UNLABELLED = "Tak til @kaffebaren for kaffen og kagen, brug koden KAFFE20 for rabat ☕\n"
LABELLED = "Reklame for @kaffebaren | Ny kaffe i kværnen, den smager af nødder ☕\n"


def test_the_action_declares_every_input_it_uses_and_runs_the_script() -> None:
    action = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
    assert action["runs"]["using"] == "composite"
    text = (ROOT / "action.yml").read_text(encoding="utf-8")
    used = set(re.findall(r"\$\{\{\s*inputs\.([\w-]+)\s*\}\}", text))
    assert used and used <= set(action["inputs"]), used - set(action["inputs"])
    runs = " ".join(step.get("run", "") for step in action["runs"]["steps"])
    assert "scripts/github-action.sh" in runs
    assert SCRIPT.exists() and os.access(SCRIPT, os.X_OK)


def repository(tmp_path: Path) -> tuple[Path, str]:
    return scratch_repository(tmp_path, {"gammel.md": UNLABELLED, "god.md": LABELLED})


def checked(repo: Path, tmp_path: Path, **env: str) -> tuple[int, str, str]:
    """The script's exit code, its standard output and the step summary it wrote."""
    summary = tmp_path / "summary.md"
    summary.write_text("", encoding="utf-8")
    done = run_action(repo, GITHUB_STEP_SUMMARY=str(summary), **env)
    return done.returncode, done.stdout, summary.read_text(encoding="utf-8")


def test_only_the_drafts_a_change_touched_are_checked_and_annotated(tmp_path: Path) -> None:
    repo, base = repository(tmp_path)
    (repo / "captions" / "ny opslag.md").write_text(UNLABELLED, encoding="utf-8")
    (repo / "captions" / "god.md").write_text(LABELLED + "\nMere tekst om kaffen.\n",
                                              encoding="utf-8")
    (repo / "noter.txt").write_text(UNLABELLED, encoding="utf-8")  # outside the paths
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "nye opslag")
    code, out, summary = checked(repo, tmp_path, SKJULT_BASE=base)
    assert code == 1
    annotated = set(re.findall(r"::error file=([^,]+),", out))
    assert annotated == {"captions/ny opslag.md"}  # not the unchanged one, not outside paths
    assert "skjult" in summary


def test_a_change_without_drafts_checks_nothing_and_says_so(tmp_path: Path) -> None:
    repo, base = repository(tmp_path)
    (repo / "billede.png").write_bytes(b"\x89PNG")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "billede")
    code, out, summary = checked(repo, tmp_path, SKJULT_BASE=base)
    assert code == 0
    assert "nothing was checked" in out and "nothing was checked" in summary


def test_a_pull_request_base_and_all_drafts(tmp_path: Path) -> None:
    repo, _ = repository(tmp_path)
    code, out, _ = checked(repo, tmp_path, SKJULT_ALL="true")
    assert code == 1 and "captions/gammel.md" in out
    code, out, _ = checked(repo, tmp_path, SKJULT_PR_BASE="f" * 40)
    assert code == 2 and "fetch-depth: 0" in out
