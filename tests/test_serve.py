"""`skjult serve`: the JSON API answers what the command line answers, refuses bad requests
with clear 4xx errors in JSON (never a 500), wants its token off localhost, and keeps no
caption. Most tests talk to the application in-process (Starlette's test client); one starts
the real server."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

REQUIRED = bool(os.environ.get("SKJULT_REQUIRE_CLUSTER"))
if not REQUIRED:
    pytest.importorskip("starlette")
    pytest.importorskip("httpx")

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from serve_client import GIFT, error_of, new_client  # noqa: E402
from starlette.testclient import TestClient  # noqa: E402

from skjult.cli import main  # noqa: E402
from skjult.serve import api  # noqa: E402
from skjult.serve.app import CSP, ServeSettings, make_app  # noqa: E402

sys.path.insert(0, str(Path(__file__).parent))
from sweep_posts import CAPTIONS  # noqa: E402


@pytest.fixture(scope="module")
def client() -> TestClient:
    return new_client()


# -- answers ------------------------------------------------------------------------------------
def test_check_answers_the_jsonl_record_of_the_command_line(client: TestClient,
                                                            tmp_path: Path) -> None:
    posts = [{"caption": c, "creator": "ida", "platform": "instagram"} for c in CAPTIONS]
    source = tmp_path / "posts.jsonl"
    source.write_text("".join(json.dumps(p, ensure_ascii=False) + "\n" for p in posts),
                      encoding="utf-8")
    done = CliRunner().invoke(main, ["check", "--no-config", str(source), "--format", "jsonl"])
    lines = [json.loads(line) for line in done.stdout.splitlines()]
    assert len(lines) == len(posts)
    for post, line in zip(posts, lines, strict=True):
        answer = client.post("/v1/check", json=post)
        assert answer.status_code == 200
        record = answer.json()
        assert record.pop("fixed_caption", None) is None or record["verdict"] != "compliant"
        record.pop("fixes_left")
        assert record.pop("findings_omitted") == 0
        line["source"] = None  # the file's line; a request has none
        assert record == line


def test_a_fix_that_applies_comes_with_the_fixed_caption(client: TestClient) -> None:
    record = client.post("/v1/check", json={"caption": GIFT}).json()
    assert record["verdict"] == "violation"
    fixed = record["fixed_caption"]
    assert fixed and fixed != GIFT and GIFT in fixed
    again = client.post("/v1/check", json={"caption": fixed}).json()
    assert again["verdict"] in ("compliant", "warning")
    assert client.post("/v1/check", json={"caption": "Gåtur ved søen"}).json()[
        "fixed_caption"] is None


def test_jurisdiction_and_language_are_chosen_per_request(client: TestClient) -> None:
    english = client.post("/v1/check", json={"caption": "Thanks @peakgear for the jacket, "
                                             "use code PEAK15", "jurisdiction": "uk",
                                             "lang": "en"}).json()
    assert english["findings"] and english["findings"][0]["rule"].startswith("uk.")
    danish = client.post("/v1/check", json={"caption": GIFT}).json()
    assert danish["findings"][0]["rule"].startswith("dk.")


def test_batch_answers_each_post_in_order_and_the_creators(client: TestClient) -> None:
    posts = [{"caption": c, "creator": ["ida", "bo"][n % 2]} for n, c in enumerate(CAPTIONS)]
    body = client.post("/v1/check/batch", json={"posts": posts}).json()
    assert [r["caption"] for r in body["results"]] == CAPTIONS
    single = [client.post("/v1/check", json=p).json()["verdict"] for p in posts]
    assert [r["verdict"] for r in body["results"]] == single
    assert [c["creator"] for c in body["creators"]] == ["bo", "ida"]
    assert sum(c["posts"] for c in body["creators"]) == body["totals"]["checked"] == len(posts)


def test_rules_health_openapi_and_docs(client: TestClient) -> None:
    rules = client.get("/v1/rules").json()
    assert rules["jurisdiction"] == "dk" and any(r["id"] == "dk.label-missing"
                                                 for r in rules["rules"])
    assert all(r["source"].startswith("http") for r in rules["rules"])
    assert client.get("/v1/rules?jurisdiction=us").json()["rules"][0]["id"].startswith("us.")
    health = client.get("/healthz").json()
    assert health["status"] == "ok" and health["limits"]["batch_posts"] == api.MAX_BATCH
    spec = client.get("/openapi.json").json()
    assert spec["openapi"].startswith("3.1") and {"/v1/check", "/v1/check/batch", "/v1/rules",
                                                  "/healthz"} <= set(spec["paths"])
    assert spec["paths"]["/v1/check/batch"]["post"]["requestBody"]["content"][
        "application/json"]["schema"]["properties"]["posts"]["maxItems"] == api.MAX_BATCH
    docs = client.get("/docs")
    assert docs.status_code == 200 and "/docs.js" in docs.text


def test_every_response_carries_the_strict_policy(client: TestClient) -> None:
    for response in (client.get("/"), client.get("/page.js"), client.get("/healthz"),
                     client.post("/v1/check", content=b"{")):
        assert response.headers["content-security-policy"] == CSP
        assert response.headers["x-content-type-options"] == "nosniff"
    page = client.get("/").text
    assert "<script>" not in page and "style=" not in page  # nothing inline: the CSP allows none
    assert "access-control-allow-origin" not in client.get(
        "/healthz", headers={"Origin": "https://elsewhere.example"}).headers


# -- refusals --------------------------------------------------------------------------------------
@pytest.mark.parametrize(("body", "status", "code"), [
    (b"{", 400, "invalid_json"),
    (b"\xff\xfe", 400, "invalid_json"),
    (b"[" * 100_000 + b"]" * 100_000, 400, "invalid_json"),
    (b"[]", 422, "invalid_post"),
    (b'"caption"', 422, "invalid_post"),
    (b"{}", 422, "invalid_caption"),
    (b'{"caption": 5}', 422, "invalid_caption"),
    (b'{"caption": null}', 422, "invalid_caption"),
    (b'{"caption": "x", "creator": ["a"]}', 422, "invalid_field"),
    (b'{"caption": "x", "paid_partnership": "ja"}', 422, "invalid_field"),
    (b'{"caption": "x", "audience": "kids"}', 422, "invalid_field"),
    (b'{"caption": "x", "jurisdiction": "de"}', 422, "unknown_jurisdiction"),
    (b'{"caption": "x", "jurisdiction": 1}', 422, "unknown_jurisdiction"),
    (b'{"caption": "x", "lang": "fr"}', 422, "unknown_lang"),
    (b'{"captoin": "x"}', 422, "unknown_field"),
])
def test_bad_requests_are_4xx_in_json(client: TestClient, body: bytes, status: int,
                                      code: str) -> None:
    response = client.post("/v1/check", content=body, headers={"content-type":
                                                               "application/json"})
    assert (response.status_code, error_of(response)) == (status, code)


def test_sizes_are_limited(client: TestClient) -> None:
    long = client.post("/v1/check", json={"caption": "x" * (api.MAX_CAPTION + 1)})
    assert (long.status_code, error_of(long)) == (413, "caption_too_long")
    body = client.post("/v1/check", content=b" " * (api.MAX_BODY + 1),
                       headers={"content-type": "application/json"})
    assert (body.status_code, error_of(body)) == (413, "body_too_large")
    many = client.post("/v1/check/batch", json={"posts": [{"caption": "x"}] *
                                                (api.MAX_BATCH + 1)})
    assert (many.status_code, error_of(many)) == (413, "batch_too_large")
    empty = client.post("/v1/check/batch", json={"posts": []})
    assert (empty.status_code, error_of(empty)) == (422, "empty_batch")
    wrong = client.post("/v1/check/batch", json={"posts": [{"caption": "ok"}, {"caption": 3}]})
    assert error_of(wrong) == "invalid_caption" and "posts[1]" in wrong.json()["error"]["message"]
    text = client.post("/v1/check", content=b'{"caption": "x"}',
                       headers={"content-type": "text/plain"})
    assert (text.status_code, error_of(text)) == (415, "not_json")


def test_unknown_paths_and_methods_are_json(client: TestClient) -> None:
    assert error_of(client.get("/v2/check")) == "not_found"
    assert error_of(client.get("/v1/check")) == "method_not_allowed"


def test_the_token_is_required_when_set(tmp_path: Path) -> None:
    guarded = TestClient(make_app(ServeSettings(token="hemmelig-noegle-42")))
    for headers in ({}, {"Authorization": "Bearer forkert"}, {"Authorization": "hemmelig-noegle-42"}):
        response = guarded.post("/v1/check", json={"caption": GIFT}, headers=headers)
        assert (response.status_code, error_of(response)) == (401, "unauthorised")
    assert guarded.get("/v1/rules").status_code == 401
    ok = guarded.post("/v1/check", json={"caption": GIFT},
                      headers={"Authorization": "Bearer hemmelig-noegle-42"})
    assert ok.status_code == 200
    assert guarded.get("/healthz").json()["token_required"] is True


def test_cors_only_for_the_origins_given() -> None:
    app = TestClient(make_app(ServeSettings(cors_origins=("https://planner.example",))))
    allowed = app.options("/v1/check", headers={"Origin": "https://planner.example",
                                                "Access-Control-Request-Method": "POST"})
    assert allowed.headers["access-control-allow-origin"] == "https://planner.example"
    other = app.options("/v1/check", headers={"Origin": "https://evil.example",
                                              "Access-Control-Request-Method": "POST"})
    assert other.headers.get("access-control-allow-origin") != "https://evil.example"


def test_a_check_that_takes_too_long_is_503() -> None:
    slow = TestClient(make_app(ServeSettings(timeout=0.001)), raise_server_exceptions=False)
    response = slow.post("/v1/check/batch", json={"posts": [{"caption": GIFT * 50}] * 100})
    assert (response.status_code, error_of(response)) == (503, "timeout")


_JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) |
                     st.text(max_size=40),
                     lambda inner: st.lists(inner, max_size=4) |
                     st.dictionaries(st.sampled_from(["caption", "creator", "platform",
                                                      "audience", "jurisdiction", "lang",
                                                      "posts", "paid_partnership", "brand",
                                                      "x"]), inner, max_size=5),
                     max_leaves=12)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=_JSON, path=st.sampled_from(["/v1/check", "/v1/check/batch"]))
def test_no_body_makes_a_500(client: TestClient, body: Any, path: str) -> None:
    response = client.post(path, content=json.dumps(body).encode(),
                           headers={"content-type": "application/json"})
    assert response.status_code in (200, 400, 413, 422), response.text
    if response.status_code != 200:
        error_of(response)


# -- the real server --------------------------------------------------------------------------------
def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_skjult_serve_answers_on_localhost_and_logs_no_caption() -> None:
    port = _free_port()
    server = subprocess.Popen([sys.executable, "-m", "skjult.cli", "serve", "--port", str(port)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        for _ in range(150):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1):
                    break
            except OSError:
                time.sleep(0.1)
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/v1/check", method="POST",
            data=json.dumps({"caption": GIFT + " hemmeligt-ord-7731"}).encode(),
            headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=30) as response:
            assert json.load(response)["verdict"] == "violation"
    finally:
        server.terminate()
        out, err = server.communicate(timeout=30)
    assert "hemmeligt-ord-7731" not in out + err
    assert "127.0.0.1" in err  # it says where it listens


def test_serve_refuses_another_address_without_a_token() -> None:
    env = {k: v for k, v in os.environ.items() if k != "SKJULT_TOKEN"}
    done = subprocess.run([sys.executable, "-m", "skjult.cli", "serve", "--host", "0.0.0.0",
                           "--port", str(_free_port())], capture_output=True, text=True,
                          env=env, timeout=60)
    assert done.returncode == 2
    assert "SKJULT_TOKEN" in done.stderr and "Traceback" not in done.stderr
