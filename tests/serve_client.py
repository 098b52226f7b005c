"""What the API tests of `skjult serve` share: an in-process client, the shape of every error
answer, and a caption that is a gift with a discount code. Imported only after the tests have
made sure the `serve` extra is installed."""

from __future__ import annotations

from typing import Any

from starlette.testclient import TestClient

from skjult.serve.app import make_app

GIFT = "Tak til @kaffebaren for kaffen og kagen, brug koden KAFFE20 for rabat ☕"


def new_client() -> TestClient:
    # Crashes come back as the app's JSON 500, as a real client would see them.
    return TestClient(make_app(), raise_server_exceptions=False)


def error_of(response: Any) -> str:
    """The error code of an answer, after checking it has the one shape every error has."""
    body = response.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message"}, body
    return str(body["error"]["code"])
