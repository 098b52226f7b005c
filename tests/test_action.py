"""The GitHub Action (``action.yml``): its inputs are declared, and its script, run in a real git
repository as GitHub runs it, checks the drafts a change touched and annotates them."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "github-action.sh"
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


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True,
                          text=True).stdout.strip()


def repository(tmp_path: Path) -> tuple[Path, str]:
    repo = tmp_path / "indhold"
    (repo / "captions").mkdir(parents=True)
    git(repo, "init", "-q", "-b", "main")
    git(repo, "config", "user.email", "test@example.com")
    git(repo, "config", "user.name", "test")
    (repo / "captions" / "gammel.md").write_text(UNLABELLED, encoding="utf-8")
    (repo / "captions" / "god.md").write_text(LABELLED, encoding="utf-8")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "base")
    return repo, git(repo, "rev-parse", "HEAD")


def run_action(repo: Path, tmp_path: Path, **env: str) -> tuple[int, str, str]:
    summary = tmp_path / "summary.md"
    summary.write_text("", encoding="utf-8")
    environment = {**os.environ, "GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": str(summary),
                   "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
                   "SKJULT_PATHS": "captions", **env}
    done = subprocess.run(["bash", str(SCRIPT)], cwd=repo, env=environment, capture_output=True,
                          text=True, timeout=300)
    return done.returncode, done.stdout, summary.read_text(encoding="utf-8")


def test_only_the_drafts_a_change_touched_are_checked_and_annotated(tmp_path: Path) -> None:
    repo, base = repository(tmp_path)
    (repo / "captions" / "ny opslag.md").write_text(UNLABELLED, encoding="utf-8")
    (repo / "captions" / "god.md").write_text(LABELLED + "\nMere tekst om kaffen.\n",
                                              encoding="utf-8")
    (repo / "noter.txt").write_text(UNLABELLED, encoding="utf-8")  # outside the paths
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "nye opslag")
    code, out, summary = run_action(repo, tmp_path, SKJULT_BASE=base)
    assert code == 1
    annotated = set(re.findall(r"::error file=([^,]+),", out))
    assert annotated == {"captions/ny opslag.md"}  # not the unchanged one, not outside paths
    assert "skjult" in summary


def test_a_change_without_drafts_checks_nothing_and_says_so(tmp_path: Path) -> None:
    repo, base = repository(tmp_path)
    (repo / "billede.png").write_bytes(b"\x89PNG")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "billede")
    code, out, summary = run_action(repo, tmp_path, SKJULT_BASE=base)
    assert code == 0
    assert "nothing was checked" in out and "nothing was checked" in summary


def test_a_pull_request_base_and_all_drafts(tmp_path: Path) -> None:
    repo, _ = repository(tmp_path)
    code, out, _ = run_action(repo, tmp_path, SKJULT_ALL="true")
    assert code == 1 and "captions/gammel.md" in out
    code, out, _ = run_action(repo, tmp_path, SKJULT_PR_BASE="f" * 40)
    assert code == 2 and "fetch-depth: 0" in out
