from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import textwrap
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from skjult.checker import Checker

# Hypothesis keeps a cache (examples, constants gathered from the code) in .hypothesis/ beside
# the tests; our fuzz tests are derandomized and use no database, so it goes to a temporary
# folder and the checkout stays as cloned.
os.environ.setdefault("HYPOTHESIS_STORAGE_DIRECTORY",
                      tempfile.mkdtemp(prefix="skjult-hypothesis-"))


@pytest.fixture(scope="session")
def checker() -> Checker:
    return Checker("dk")


@pytest.fixture(scope="session")
def checker_en() -> Checker:
    return Checker("dk", lang="en")


@pytest.fixture()
def user_pack(tmp_path: Path) -> Callable[..., Path]:
    """Writes a rule pack of a user's own: ``user_pack("mine", {"rules/x.yml": "..."})``.

    ``pack.yml`` is written for it; the files' texts are dedented."""

    def write(name: str, files: dict[str, str]) -> Path:
        root = tmp_path / name
        for relative, text in {"pack.yml": f"pack: {name}\n", **files}.items():
            path = root / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
        return root

    return write


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Debian's Chromium, headless, through Playwright; a skip without them, a failure where
    they are required (``SKJULT_REQUIRE_BROWSER=1``, as CI sets it)."""
    required = os.environ.get("SKJULT_REQUIRE_BROWSER") == "1"
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - the test extra installs it
        sync_playwright = None  # type: ignore[assignment]
    if chromium is None or sync_playwright is None:
        if required:
            pytest.fail("headless Chromium is required here (SKJULT_REQUIRE_BROWSER=1) but "
                        f"chromium={chromium}, playwright={sync_playwright is not None}")
        pytest.skip("Chromium (Debian package 'chromium') or playwright not installed")
    with sync_playwright() as p:
        # No sandbox (root in CI) and none of Chromium's own background traffic, so that every
        # request a test sees comes from the page.
        launched = p.chromium.launch(executable_path=chromium, args=[
            "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-sync",
            "--disable-background-networking", "--disable-component-update",
            "--disable-default-apps", "--disable-extensions"])
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    """A real ``skjult serve`` on a free port of 127.0.0.1 (no token); its origin."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if k != "SKJULT_TOKEN"}
    process = subprocess.Popen([sys.executable, "-m", "skjult.cli", "serve", "--port", str(port)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    origin = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                with urllib.request.urlopen(origin + "/healthz", timeout=1):
                    break
            except OSError:
                time.sleep(0.1)
        yield origin
    finally:
        process.terminate()
        process.wait(timeout=30)
