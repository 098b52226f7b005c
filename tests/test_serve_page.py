"""The page of `skjult serve` in headless Chromium: a caption typed in gets its verdict and its
marked words, the fix is applied with its diff shown, everything works from the keyboard and
on a phone-sized screen, and no request leaves the page except to the server."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import pytest

if not os.environ.get("SKJULT_REQUIRE_CLUSTER"):
    pytest.importorskip("starlette")
    pytest.importorskip("playwright")

from playwright.sync_api import expect

GIFT = "Tak til @kaffebaren for kaffen og kagen, brug koden KAFFE20 for rabat ☕"
SCREENSHOTS = os.environ.get("SKJULT_SCREENSHOTS")  # a folder: the page is photographed there






def _page(browser: Any, origin: str, lang: str = "da", **context: Any) -> tuple[Any, list[str]]:
    page = browser.new_context(**context).new_page()
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    problems: list[str] = []
    page.on("console", lambda message: problems.append(message.text)
            if message.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.goto(f"{origin}/?lang={lang}" if lang == "en" else origin + "/")
    page.problems = problems  # type: ignore[attr-defined]
    return page, requests


def test_typing_a_caption_shows_the_verdict_the_marked_words_and_the_fix(
        server: str, browser: Any) -> None:
    page, requests = _page(browser, server)
    page.locator("#caption").click()
    page.keyboard.type(GIFT, delay=5)
    verdict = page.locator("#verdict")
    expect(page.locator("#verdict")).to_have_attribute("data-verdict", "violation",
                                                       timeout=20_000)
    assert "Overtrædelse" in verdict.inner_text()
    marks = page.locator("#preview mark").all_inner_texts()
    assert marks and all(mark in GIFT for mark in marks)
    assert page.locator("#findings li").count() >= 1
    if SCREENSHOTS:
        page.screenshot(path=str(Path(SCREENSHOTS) / "serve-violation-da.png"), full_page=True)
    page.locator("#apply").click()
    expect(page.locator("#verdict")).not_to_have_attribute("data-verdict", "violation",
                                                           timeout=20_000)
    fixed = page.locator("#caption").input_value()
    assert fixed != GIFT and GIFT in fixed
    assert page.locator("#diff").is_visible() and page.locator("#diff ins").inner_text().strip()
    if SCREENSHOTS:
        page.screenshot(path=str(Path(SCREENSHOTS) / "serve-fixed-da.png"), full_page=True)
    assert all(url.startswith(server + "/") for url in requests), requests
    assert not page.problems  # type: ignore[attr-defined]  # no script error, no CSP refusal


def test_the_page_is_usable_with_the_keyboard_alone_and_in_english(server: str,
                                                                     browser: Any) -> None:
    page, requests = _page(browser, server, lang="en")
    assert page.locator("h1").inner_text().startswith("Check a caption")
    page.keyboard.press("Tab")  # the language button, then the API link, then the caption
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "caption"
    page.keyboard.type("Sponsored by @brewlab: their new oat latte is out", delay=5)
    page.keyboard.press("Tab")  # to the platform
    page.keyboard.press("Tab")  # to the rules
    page.keyboard.press("ArrowDown")  # United Kingdom
    expect(page.locator("#verdict")).to_have_attribute("data-verdict", re.compile("."),
                                                       timeout=20_000)
    assert page.locator("#jurisdiction").input_value() == "uk"
    assert page.locator("#verdict").get_attribute("aria-live") is None  # the region is the section
    assert page.locator("#result").get_attribute("aria-live") == "polite"
    assert all(url.startswith(server + "/") for url in requests), requests


def test_a_phone_sized_screen_needs_no_sideways_scrolling(server: str, browser: Any) -> None:
    page, _ = _page(browser, server, viewport={"width": 360, "height": 740},
                    device_scale_factor=2, is_mobile=True, has_touch=True)
    page.locator("#caption").fill(GIFT + " " + "#ugensopskrift" * 8)
    expect(page.locator("#verdict")).to_have_attribute("data-verdict", re.compile("."),
                                                       timeout=20_000)
    assert page.evaluate("document.scrollingElement.scrollWidth <= window.innerWidth + 1")
    if SCREENSHOTS:
        page.screenshot(path=str(Path(SCREENSHOTS) / "serve-phone-da.png"), full_page=True)


def test_text_from_the_caption_is_never_run_as_html(server: str, browser: Any) -> None:
    page, _ = _page(browser, server)
    page.locator("#caption").fill('Tak til @x for gaven <img src=x onerror="window.ran=1"> '
                                  "<script>window.ran=2</script>")
    expect(page.locator("#verdict")).to_have_attribute("data-verdict", re.compile("."),
                                                       timeout=20_000)
    assert page.evaluate("window.ran") is None
    assert page.locator("#preview img").count() == 0
