"""A hostile review of `skjult serve`, its page and the GitHub Action's script.

Every bug found has a test marked ``xfail(strict=True)``: it fails today and passes (so the mark
must go) once the bug is fixed. Attacks that held up have plain tests. Everything talks to the
application in-process (Starlette's test client or raw ASGI calls) except the page tests, which
need the real server and Chromium, and the action tests, which run the script in a scratch git
repository. Nothing here floods the server."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import threading
import urllib.request
from pathlib import Path
from typing import Any

import pytest

if not os.environ.get("SKJULT_REQUIRE_CLUSTER"):
    pytest.importorskip("starlette")
    pytest.importorskip("httpx")

from action_repo import git, run_action, scratch_repository
from click.testing import CliRunner
from serve_client import GIFT, error_of, new_client
from starlette.testclient import TestClient

from skjult.cli import main
from skjult.serve import api
from skjult.serve.app import CSP, THREADS, ServeSettings, make_app

JSON = {"content-type": "application/json"}
TOKEN = "hemmelig-noegle-42"


@pytest.fixture(scope="module")
def client() -> TestClient:
    return new_client()


def asgi(app: Any, method: str, path: str, headers: list[tuple[bytes, bytes]],
         chunks: tuple[bytes, ...] = (b"",)) -> tuple[int | None, dict[bytes, bytes], bytes,
                                                      BaseException | None]:
    """One request straight through the ASGI interface (headers and body chunks exactly as
    given): status, headers, body, and the exception the application let out, if any."""
    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1",
             "method": method, "path": path, "raw_path": path.encode(), "query_string": b"",
             "headers": headers, "client": ("203.0.113.9", 4711), "server": ("skjult", 80),
             "scheme": "http", "root_path": ""}
    messages = [{"type": "http.request", "body": chunk, "more_body": n < len(chunks) - 1}
                for n, chunk in enumerate(chunks)]
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return messages.pop(0) if messages else {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    async def call() -> BaseException | None:
        try:
            await app(scope, receive, send)
        except Exception as exc:  # what a server such as uvicorn would log with a traceback
            return exc
        return None

    escaped = asyncio.run(call())
    start = [m for m in sent if m["type"] == "http.response.start"]
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return (start[0]["status"] if start else None,
            dict(start[0]["headers"]) if start else {}, body, escaped)


# == bugs ==========================================================================================
# -- 1. hostile JSON makes a 500 ------------------------------------------------------------------
@pytest.mark.parametrize("body", [
    b'{"caption": "x", "paid_partnership": ' + b"1" * 5000 + b"}",
    b'{"caption": ' + b"9" * 5000 + b"}",
    b"-" + b"1" * 4301,
])
def test_a_huge_integer_literal_is_a_4xx(client: TestClient, body: bytes) -> None:
    response = client.post("/v1/check", content=body, headers=JSON)
    assert 400 <= response.status_code < 500, response.text
    error_of(response)


@pytest.mark.parametrize(("path", "body"), [
    ("/v1/check", b'{"caption": "x", "\\ud800": 1}'),
    ("/v1/check/batch", b'{"posts": [{"caption": "x"}], "\\udfff": 1}'),
    ("/v1/check/batch", b'{"posts": [{"caption": "x", "\\ud800x": 1}]}'),
    ("/v1/check", b'{"caption": "x", "creator": "ida \\ud83d"}'),
    ("/v1/check", b'{"caption": "x", "id": "\\udc00"}'),
    ("/v1/check", b'{"caption": "' + GIFT.encode() + b'", "brand": "Kaffe\\ud800"}'),
])
def test_a_lone_surrogate_outside_the_caption_is_no_500(client: TestClient, path: str,
                                                        body: bytes) -> None:
    response = client.post(path, content=body, headers=JSON)
    assert response.status_code < 500, response.text
    if response.status_code >= 400:
        error_of(response)


def test_a_lone_surrogate_in_the_caption_is_answered() -> None:
    """Held up: the caption's own lone surrogate comes back as U+FFFD, offsets intact."""
    app = TestClient(make_app(), raise_server_exceptions=False)
    response = app.post("/v1/check", content=b'{"caption": "\\ud800 #ad ' + GIFT.encode() + b'"}',
                        headers=JSON)
    assert response.status_code == 200
    record = response.json()
    assert record["caption"].startswith("\ufffd #ad ")
    assert all(record["caption"][f["start"]:f["end"]] == f["text"] for f in record["findings"])


# -- 2. the time limit frees the slot but not the thread -----------------------------------------
def test_a_timed_out_check_keeps_its_slot_until_it_ends(monkeypatch: pytest.MonkeyPatch) -> None:
    lock = threading.Lock()
    running = [0, 0]  # now, most at once
    release = threading.Event()

    def slow(body: Any, default: Any) -> dict[str, Any]:
        with lock:
            running[0] += 1
            running[1] = max(running[1], running[0])
        release.wait(20)
        with lock:
            running[0] -= 1
        return {}

    monkeypatch.setattr(api, "check_one", slow)
    try:
        with TestClient(make_app(ServeSettings(timeout=0.2)),
                        raise_server_exceptions=False) as app:
            for _ in range(THREADS + 2):
                response = app.post("/v1/check", json={"caption": "x"})
                assert response.status_code == 503  # the time limit still holds
                error_of(response)
            most = running[1]
    finally:
        release.set()
    assert most <= THREADS, f"{most} checks ran at once; the limit is {THREADS}"


# -- 3. one small request, a huge answer ---------------------------------------------------------
def test_the_answer_is_not_hundreds_of_times_the_request(client: TestClient) -> None:
    body = json.dumps({"caption": "#ad " * 1000}).encode()
    response = client.post("/v1/check", content=body, headers=JSON)
    assert response.status_code == 200
    assert len(response.content) <= 100 * len(body) + 20_000, (len(body), len(response.content))


# -- 4. a batch ignores a post's own settings without a word --------------------------------------
def test_a_batch_does_not_silently_ignore_a_posts_jurisdiction(client: TestClient) -> None:
    post = {"caption": "#ad Thanks @brand for the gift, use code SAVE20", "jurisdiction": "uk",
            "lang": "en"}
    single = client.post("/v1/check", json=post).json()
    batch = client.post("/v1/check/batch", json={"posts": [post]})
    if batch.status_code == 422:  # refusing it is a fix too
        assert error_of(batch) == "unknown_field"
        return
    assert batch.json()["results"][0]["verdict"] == single["verdict"] == "compliant"


# -- 5. the crash path: not JSON-safe headers, and a traceback for the server to log ------------
def test_a_500_keeps_the_safe_headers(monkeypatch: pytest.MonkeyPatch) -> None:
    def crash(body: Any, default: Any) -> dict[str, Any]:
        raise RuntimeError("boom")

    monkeypatch.setattr(api, "check_one", crash)
    app = TestClient(make_app(), raise_server_exceptions=False)
    response = app.post("/v1/check", json={"caption": "x"})
    assert (response.status_code, error_of(response)) == (500, "internal_error")
    assert response.headers.get("content-security-policy") == CSP
    assert response.headers.get("cache-control") == "no-store"


def test_a_crash_is_not_handed_to_the_servers_log(monkeypatch: pytest.MonkeyPatch) -> None:
    def crash(body: Any, default: Any) -> dict[str, Any]:
        raise ValueError(f"could not judge {body['caption']!r}")

    monkeypatch.setattr(api, "check_one", crash)
    status, _, _, escaped = asgi(make_app(), "POST", "/v1/check", [
        (b"content-type", b"application/json")], (b'{"caption": "hemmeligt-ord-7731"}',))
    assert status == 500
    assert escaped is None, f"the server would log: {escaped!r}"


# -- 6. smaller HTTP rough edges ------------------------------------------------------------------
def test_a_content_length_of_unicode_digits_is_a_4xx() -> None:
    status, _, body, _ = asgi(make_app(), "POST", "/v1/check", [
        (b"content-type", b"application/json"), (b"content-length", b"\xb2")], (b"{}",))
    assert status is not None and 400 <= status < 500, body


def test_a_trailing_slash_is_not_redirected_to_the_host_header() -> None:
    status, headers, body, _ = asgi(make_app(ServeSettings(token=TOKEN)), "POST", "/v1/check/", [
        (b"content-type", b"application/json"), (b"host", b"evil.example")],
        (b'{"caption": "x"}',))
    assert b"evil.example" not in headers.get(b"location", b"")
    assert status is not None
    if status >= 400:
        assert json.loads(body)["error"]["code"]


def test_a_405_says_which_methods_are_allowed(client: TestClient) -> None:
    response = client.put("/v1/check", json={"caption": "x"})
    assert response.status_code == 405
    assert "POST" in response.headers.get("allow", "")


@pytest.mark.xfail(strict=True, reason="CORSMiddleware answers a preflight from another origin "
                   "with text/plain 'Disallowed CORS origin', not the JSON error every error "
                   "promises")
def test_a_refused_preflight_is_a_json_error() -> None:
    app = TestClient(make_app(ServeSettings(cors_origins=("https://planner.example",))))
    response = app.options("/v1/check", headers={"Origin": "https://evil.example",
                                                 "Access-Control-Request-Method": "POST"})
    assert 400 <= response.status_code < 500
    error_of(response)


# == attacks that held up ==========================================================================
@pytest.mark.parametrize("authorization", [
    None, "", "Bearer", "Bearer ", "Bearer forkert", f"Basic {TOKEN}", TOKEN, f"Bearer\t{TOKEN}",
    f"Bearer {TOKEN}x", f"Bearer {TOKEN[:-1]}", f"Token {TOKEN}", f"Bearer {TOKEN.upper()}",
    f"Bearer {TOKEN} {TOKEN}", f"Bearer x {TOKEN}",
])
def test_the_token_cannot_be_bypassed(authorization: str | None) -> None:
    app = make_app(ServeSettings(token=TOKEN))
    headers = [(b"content-type", b"application/json")]
    if authorization is not None:
        headers.append((b"authorization", authorization.encode()))
    for method, path in (("POST", "/v1/check"), ("POST", "/v1/check/batch"),
                         ("GET", "/v1/rules"), ("HEAD", "/v1/rules")):
        status, _, _, escaped = asgi(app, method, path, headers, (b'{"caption": "x"}',))
        assert (status, escaped) == (401, None), (method, path)


def test_the_token_is_checked_on_every_spelling_of_the_path() -> None:
    app = make_app(ServeSettings(token=TOKEN))
    for path in ("/v1/check", "//v1/check", "/v1//check", "/./v1/check", "/V1/CHECK"):
        status, _, _, _ = asgi(app, "POST", path, [(b"content-type", b"application/json")],
                               (b'{"caption": "x"}',))
        assert status in (401, 404), path
    # a percent-encoded slash reaches the route decoded, and the route asks for the token
    guarded = TestClient(app)
    assert guarded.post("/v1%2Fcheck", json={"caption": "x"}).status_code == 401
    assert guarded.options("/v1/check").status_code == 405
    for scheme in ("Bearer", "bearer", "BEARER"):
        ok = guarded.post("/v1/check", json={"caption": "x"},
                          headers={"Authorization": f"{scheme}  {TOKEN} "})
        assert ok.status_code == 200


def test_the_body_limit_holds_without_or_against_content_length() -> None:
    app = make_app()
    half = b" " * 600_000
    json_type = (b"content-type", b"application/json")
    for headers in ([json_type], [json_type, (b"content-length", b"10")],
                    [json_type, (b"transfer-encoding", b"chunked")]):
        status, _, body, escaped = asgi(app, "POST", "/v1/check", headers, (half, half, b"{}"))
        assert (status, escaped) == (413, None) and b"body_too_large" in body
    for declared in (b"1000001", b"99999999999999999999999", b"-1", b"+5", b"1e3", b" 10"):
        status, _, _, _ = asgi(app, "POST", "/v1/check",
                               [json_type, (b"content-length", declared)], (b"{}",))
        assert status == 413, declared


def test_a_gzip_body_is_not_inflated(client: TestClient) -> None:
    import gzip

    bomb = gzip.compress(b'{"caption": "' + b"a" * 5_000_000 + b'"}')
    response = client.post("/v1/check", content=bomb,
                           headers={**JSON, "content-encoding": "gzip"})
    assert (response.status_code, error_of(response)) == (400, "invalid_json")


@pytest.mark.parametrize(("body", "status"), [
    (b'{"caption": "x", "paid_partnership": NaN}', 422),
    (b'{"caption": "x", "audience": Infinity}', 422),
    (b'{"caption": "x", "paid_partnership": -Infinity}', 422),
    (b'{"caption": "x", "id": 1e999}', 422),
    (b'{"caption": "x", "audience": ["minors"]}', 422),
    (b'{"caption": "x", "audience": {"minors": 1}}', 422),
    (b'{"caption": "x", "caption": 5}', 422),
    (b'{"caption": "x", "id": ' + b"[" * 3000 + b"]" * 3000 + b"}", 400),
    (b"{" * 200_000, 400),
    (b'{"caption": "\xff"}', 400),
    (b'{"caption": "\xed\xa0\x80"}', 200),  # json.loads decodes with surrogatepass: U+FFFD
    (b"\xef\xbb\xbf" + b'{"caption": "x"}', 200),  # a BOM, as json.loads allows
    ('{"caption": "x"}'.encode("utf-16"), 200),  # json.loads detects UTF-16
])
def test_json_edge_cases_are_answered_or_refused_in_json(client: TestClient, body: bytes,
                                                         status: int) -> None:
    response = client.post("/v1/check", content=body, headers=JSON)
    assert response.status_code == status, response.text
    if status != 200:
        error_of(response)


HOSTILE_CAPTIONS = [
    GIFT.replace(" ", "\r\n"), "\ufeff" + GIFT, "Reklame for @kaffebaren\r\n" + GIFT,
    "👨\u200d👩\u200d👧🏳️\u200d🌈 #ad " + GIFT, "e\u0301\u0301 #ad " + GIFT,
    "\u2028#sponsoreret\u2029 " + GIFT, "ＲＥＫＬＡＭＥ #ＡＤ " + GIFT, GIFT + "\x00",
    "𝕋𝕒𝕜 #ad\r\r" + GIFT + " 🇩🇰 #ad", "#\u200bad " + GIFT, "<b>#ad</b> " + GIFT,
]


def test_the_api_judges_hostile_captions_as_the_command_line_does(client: TestClient,
                                                                  tmp_path: Path) -> None:
    posts = [{"caption": c, **meta} for c in HOSTILE_CAPTIONS
             for meta in ({}, {"platform": "INSTAGRAM", "paid_partnership": True},
                          {"audience": "minors", "brand": "Kaffebaren", "creator": "@ida"})]
    source = tmp_path / "posts.jsonl"
    source.write_text("".join(json.dumps(p) + "\n" for p in posts), encoding="utf-8")
    done = CliRunner().invoke(main, ["check", "--no-config", str(source), "--format", "jsonl"])
    lines = [json.loads(line) for line in done.stdout.split("\n") if line.strip()]
    assert len(lines) == len(posts)
    for post, line in zip(posts, lines, strict=True):
        record = client.post("/v1/check", json=post).json()
        assert record["verdict"] == line["verdict"], post
        assert record["caption"] == line["caption"] == post["caption"]
        assert [(f["rule"], f["start"], f["end"]) for f in record["findings"]] == [
            (f["rule"], f["start"], f["end"]) for f in line["findings"]]
        # offsets count code points of the caption as sent (what Array.from splits into)
        for finding in record["findings"]:
            assert record["caption"][finding["start"]:finding["end"]] == finding["text"]


def test_the_rule_set_cache_stays_bounded(client: TestClient) -> None:
    for jurisdiction in ("dk", "uk", "us", "de", "DK", "dk ", "../dk"):
        for lang in ("da", "en", "fr"):
            client.post("/v1/check", json={"caption": "x", "jurisdiction": jurisdiction,
                                           "lang": lang})
    info = api._checker.cache_info()
    assert info.currsize <= min(info.maxsize or 8, 2 * 3 * 2)


@pytest.mark.parametrize("host", ["::", "0", "0.0.0.0", "localhost.", "127.1", "LOCALHOST",
                                  "::ffff:127.0.0.1", "[::1]", "127.0.0.1 ", "example.com"])
def test_serve_wants_a_token_for_anything_but_plain_loopback(
        host: str, monkeypatch: pytest.MonkeyPatch) -> None:
    import uvicorn

    def never(*args: Any, **kwargs: Any) -> None:
        raise AssertionError(f"serve would listen on {host!r} without a token")

    monkeypatch.setattr(uvicorn, "run", never)
    monkeypatch.delenv("SKJULT_TOKEN", raising=False)
    done = CliRunner().invoke(main, ["serve", "--host", host, "--port", "1"])
    assert done.exit_code == 2 and "SKJULT_TOKEN" in done.output, done.output


# == the page, in Chromium ========================================================================




def _type(page: Any, caption: str) -> None:
    page.evaluate("(c) => { const t = document.getElementById('caption'); t.value = c; "
                  "t.dispatchEvent(new Event('input')); }", caption)


def _settled(page: Any) -> None:
    """Waits for the debounced check to be answered (the CSP forbids wait_for_function)."""
    page.wait_for_timeout(400)
    for _ in range(200):
        if page.evaluate("() => document.getElementById('status').textContent === ''"):
            return
        page.wait_for_timeout(100)


@pytest.mark.parametrize("caption", [
    "👨\u200d👩\u200d👧🏳️\u200d🌈 e\u0301\u0301 #ad " + GIFT,
    "𝕋𝕒𝕜 #ad\r\n" + GIFT + " 🇩🇰 #ad <img src=x onerror=window.ran=1>",
])
def test_the_page_marks_the_words_the_api_names(server: str, browser: Any, caption: str) -> None:
    page = browser.new_page()
    try:
        page.goto(server + "/")
        _type(page, caption)
        _settled(page)
        sent = page.evaluate("() => document.getElementById('caption').value")  # CRLF -> LF
        request = urllib.request.Request(server + "/v1/check", method="POST", headers=JSON,
                                         data=json.dumps({"caption": sent,
                                                          "platform": "instagram"}).encode())
        with urllib.request.urlopen(request, timeout=30) as response:
            record = json.load(response)
        wanted = [f["text"] for f in sorted(record["findings"],
                                            key=lambda f: (f["start"], -f["end"]))
                  if f["end"] > f["start"]]
        assert wanted and page.locator("#preview mark").all_inner_texts() == wanted
        assert page.locator("#preview").inner_text() == record["caption"]
        assert page.evaluate("() => window.ran") is None
        assert page.locator("#preview img").count() == 0
    finally:
        page.close()


def test_an_answer_for_a_caption_since_deleted_is_not_shown(server: str, browser: Any) -> None:
    page = browser.new_page()
    held: list[Any] = []
    try:
        page.goto(server + "/")
        page.route("**/v1/check", lambda route: held.append(route))  # the answer is late
        _type(page, GIFT)
        for _ in range(50):
            if held:
                break
            page.wait_for_timeout(100)
        assert held
        _type(page, "")  # the writer deletes the caption
        page.wait_for_timeout(500)
        held[0].continue_()  # and then the late answer arrives
        page.wait_for_timeout(1500)
        assert page.locator("#verdict").get_attribute("data-verdict") is None
        assert page.locator("#findings li").count() == 0
    finally:
        page.close()


# == the GitHub Action's script ====================================================================
def _repository(tmp_path: Path) -> tuple[Path, str]:
    return scratch_repository(tmp_path, {"gammel.txt": "Gåtur ved søen\n"})


def _action(where: Path, **env: str) -> tuple[int, str]:
    done = run_action(where, **env)
    return done.returncode, done.stdout + done.stderr


def test_the_action_takes_any_file_name_and_escapes_it(tmp_path: Path) -> None:
    if shutil.which("git") is None:
        pytest.skip("no git")
    repo, base = _repository(tmp_path)
    names = ["sp ace.md", "-rf.md", "--help.txt", "æøå.md", "new\nline.md", "a,b:c.md",
             "%0A.md", "UPPER.MD", "x\n::error file=evil.md,line=1::INJECTED.md"]
    for name in names:
        (repo / "captions" / name).write_text(GIFT + "\n", encoding="utf-8")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "drafts")
    code, out = _action(repo, SKJULT_BASE=base)
    assert code == 1, out
    commands = [line for line in out.splitlines() if line.startswith("::")]
    assert len(commands) == len(names)  # one annotation per draft, none injected
    assert all(line.startswith("::error file=captions/") for line in commands), commands
    assert not any(line.startswith(("::error::", "::error file=evil")) for line in commands)
    assert (repo / "captions" / "-rf.md").exists()


def test_the_action_fails_outside_a_git_repository(tmp_path: Path) -> None:
    (tmp_path / "captions").mkdir()
    (tmp_path / "captions" / "opslag.md").write_text(GIFT + "\n", encoding="utf-8")
    env = {"GIT_CEILING_DIRECTORIES": str(tmp_path.parent)}
    code, out = _action(tmp_path, SKJULT_ALL="true", **env)
    assert code != 0, out


def test_the_action_does_not_follow_a_draft_out_of_the_checkout(tmp_path: Path) -> None:
    if shutil.which("git") is None:
        pytest.skip("no git")
    repo, base = _repository(tmp_path)
    outside = tmp_path / "runner-secret.txt"
    outside.write_text("Tak til @hemmelig for gaven, brug koden HEMMELIG99 for rabat\n",
                       encoding="utf-8")
    (repo / "captions" / "opslag.md").symlink_to(outside)
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "a link")
    _, out = _action(repo, SKJULT_BASE=base)
    assert "HEMMELIG99" not in out and "@hemmelig" not in out
