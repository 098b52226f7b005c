"""What the tests of the GitHub Action's script share: a scratch git repository with a first
commit of drafts, and the script run in it as GitHub's runner runs it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "github-action.sh"
# Set by GitHub for each run; one leaking in from the shell running the tests would change them.
_RUNNER_SETTINGS = ("GITHUB_STEP_SUMMARY", "SKJULT_BASE", "SKJULT_PR_BASE", "SKJULT_PUSH_BEFORE")


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True,
                          text=True).stdout.strip()


def scratch_repository(tmp_path: Path, drafts: dict[str, str]) -> tuple[Path, str]:
    """A repository whose first commit holds ``drafts`` (names under captions/); gives the
    repository and that commit."""
    repo = tmp_path / "indhold"
    (repo / "captions").mkdir(parents=True)
    git(repo, "init", "-q", "-b", "main")
    git(repo, "config", "user.email", "test@example.com")
    git(repo, "config", "user.name", "test")
    for name, text in drafts.items():
        (repo / "captions" / name).write_text(text, encoding="utf-8")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "base")
    return repo, git(repo, "rev-parse", "HEAD")


def run_action(where: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """The action's script in ``where``, drafts under captions/, with this checkout's skjult."""
    environment = {name: value for name, value in os.environ.items()
                   if name not in _RUNNER_SETTINGS}
    environment.update({"GITHUB_ACTIONS": "true", "SKJULT_PATHS": "captions",
                        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
                        "PYTHONPATH": str(ROOT / "src"), **env})
    return subprocess.run(["bash", str(SCRIPT)], cwd=where, env=environment,
                          capture_output=True, text=True, timeout=300)
