"""The web application: the page, the API, its OpenAPI description, and what keeps it safe —
a token off localhost, request size limits, a time limit per request, JSON errors only, no
caption kept or logged, CORS off unless origins are given.

Starlette (on uvicorn) rather than FastAPI: the API is four routes whose bodies ``api`` checks
field by field with messages of its own; FastAPI would add pydantic and a documentation page
that loads its script from a CDN, which the strict Content-Security-Policy forbids."""

from __future__ import annotations

import hmac
import json
import threading
import time
from dataclasses import dataclass, field
from importlib import resources
from typing import Any, ClassVar

import anyio
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from skjult import __version__
from skjult.serve import api
from skjult.serve.openapi import spec

# Nothing but this server: no inline script or style, no other origin, no framing.
CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
       "img-src 'self' data:; form-action 'none'; base-uri 'none'; frame-ancestors 'none'")
TIMEOUT = 10.0  # seconds a request may take before it is answered 503
# Checks at a time: one. A check is Python holding the GIL; a second thread only adds the cost
# of handing the GIL back and forth (measured: 8 clients got 30 % more requests/s and a lower
# p99 with one thread than with two). Requests wait their turn within their time limit.
THREADS = 1


@dataclass(frozen=True)
class ServeSettings:
    defaults: api.Settings = field(default_factory=api.Settings)
    token: str | None = None  # required as "Authorization: Bearer <token>" when set
    cors_origins: tuple[str, ...] = ()
    timeout: float = TIMEOUT


def make_app(settings: ServeSettings | None = None) -> Any:
    """The ASGI application (wrapped so that every response has the safe headers and no
    error reaches the server's log with request text in it)."""
    settings = settings or ServeSettings()
    # Held by the thread doing a check until the check really ends: a request answered 503 at
    # its deadline frees no slot while its check still runs, so THREADS is a true limit.
    slots = threading.BoundedSemaphore(THREADS)

    def guarded(deadline: float, work: Any, *args: Any) -> bytes:
        with slots:
            if time.monotonic() > deadline:  # waited past its deadline: answered already
                return b""
            return answer_bytes(work(*args))  # the JSON made here too, within the limit

    async def run(work: Any, *args: Any) -> Response:
        deadline = time.monotonic() + settings.timeout
        try:
            with anyio.fail_after(settings.timeout):
                body = await anyio.to_thread.run_sync(guarded, deadline, work, *args,
                                                      abandon_on_cancel=True)
        except TimeoutError:
            raise api.ApiError(503, "timeout", f"the check took longer than "
                                               f"{settings.timeout:g} s") from None
        return Response(body, media_type="application/json")

    def authorised(request: Request) -> None:
        if settings.token is None:
            return
        given = request.headers.get("authorization", "")
        scheme, _, token = given.partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(
                token.strip().encode("utf-8", "replace"), settings.token.encode("utf-8", "replace")):
            raise api.ApiError(401, "unauthorised", "this server needs its token: "
                                                    "Authorization: Bearer <SKJULT_TOKEN>")

    async def body_of(request: Request) -> Any:
        authorised(request)
        kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if kind != "application/json":
            raise api.ApiError(415, "not_json", "send the body as application/json")
        declared = request.headers.get("content-length")
        if declared is not None and (not (declared.isascii() and declared.isdigit())
                                     or int(declared) > api.MAX_BODY):
            raise api.ApiError(413, "body_too_large", f"the body may hold at most "
                                                      f"{api.MAX_BODY:,} bytes")
        chunks: list[bytes] = []
        size = 0
        async for chunk in request.stream():
            size += len(chunk)
            if size > api.MAX_BODY:
                raise api.ApiError(413, "body_too_large", f"the body may hold at most "
                                                          f"{api.MAX_BODY:,} bytes")
            chunks.append(chunk)
        try:
            return json.loads(b"".join(chunks))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise api.ApiError(400, "invalid_json", f"the body is not JSON: {exc}") from None
        except ValueError as exc:  # a number of more than 4,300 digits
            raise api.ApiError(400, "invalid_json", f"the body cannot be read: {exc}") from None
        except RecursionError:
            raise api.ApiError(400, "invalid_json", "the body is nested too deeply") from None

    async def check(request: Request) -> Response:
        body = await body_of(request)
        return await run(api.check_one, body, settings.defaults)

    async def batch(request: Request) -> Response:
        body = await body_of(request)
        return await run(api.check_batch, body, settings.defaults)

    async def rules(request: Request) -> Response:
        authorised(request)
        return await run(api.rules_of, settings.defaults, request.query_params.get("jurisdiction"),
                         request.query_params.get("lang"))

    async def health(request: Request) -> Response:
        return JSONResponse({"status": "ok", "version": __version__,
                             "token_required": settings.token is not None,
                             "jurisdiction": settings.defaults.jurisdiction,
                             "limits": {"body_bytes": api.MAX_BODY, "batch_posts": api.MAX_BATCH,
                                        "caption_chars": api.MAX_CAPTION,
                                        "seconds": settings.timeout}})

    async def openapi(request: Request) -> Response:
        return JSONResponse(spec())

    def static(path: str, name: str, kind: str) -> Route:
        data = resources.files("skjult.serve").joinpath("static", name).read_bytes()

        async def serve(request: Request) -> Response:
            return Response(data, media_type=kind)

        return Route(path, serve, methods=["GET"])

    async def api_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, api.ApiError)
        return Response(answer_bytes(exc.to_dict()), status_code=exc.status,
                        media_type="application/json")

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
        return JSONResponse({"error": {"code": code, "message": str(exc.detail)}},
                            status_code=exc.status_code, headers=exc.headers)

    async def crash(request: Request, exc: Exception) -> Response:
        # a bug: said without a traceback, a caption or anything else from the request (the
        # error goes no further: see Contained)
        return Response(_crash_body(exc), status_code=500, media_type="application/json")

    middleware = []
    if settings.cors_origins:
        middleware.append(Middleware(CORSMiddleware, allow_origins=list(settings.cors_origins),
                                     allow_methods=["GET", "POST"],
                                     allow_headers=["content-type", "authorization"]))
    app = Starlette(routes=[
        static("/", "index.html", "text/html; charset=utf-8"),
        static("/page.js", "page.js", "text/javascript; charset=utf-8"),
        static("/page.css", "page.css", "text/css; charset=utf-8"),
        static("/docs", "docs.html", "text/html; charset=utf-8"),
        static("/docs.js", "docs.js", "text/javascript; charset=utf-8"),
        Route("/v1/check", check, methods=["POST"]),
        Route("/v1/check/batch", batch, methods=["POST"]),
        Route("/v1/rules", rules, methods=["GET"]),
        Route("/healthz", health, methods=["GET"]),
        Route("/openapi.json", openapi, methods=["GET"]),
    ], middleware=middleware, exception_handlers={
        api.ApiError: api_error, HTTPException: http_error, Exception: crash})
    app.router.redirect_slashes = False  # /v1/check/ is not found, not sent elsewhere
    return SafeHeaders(Contained(app))


def answer_bytes(value: Any) -> bytes:
    """A JSON answer as UTF-8; a lone surrogate left anywhere in it (echoed from a request)
    becomes "?" rather than a failed answer."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8",
                                                                              "replace")


def _crash_body(exc: Exception) -> bytes:
    return answer_bytes({"error": {"code": "internal_error", "message":
                                   f"internal error ({type(exc).__name__}); please report it"}})


class Contained:
    """A bug inside the application ends as a JSON 500 saying only the error's type — not as
    a traceback in the server's log, which could quote a caption."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        started = False

        async def watched(message: Any) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, watched)
        except Exception as exc:
            if scope["type"] != "http" or started:
                return
            body = _crash_body(exc)
            await send({"type": "http.response.start", "status": 500,
                        "headers": [(b"content-type", b"application/json"),
                                    (b"content-length", str(len(body)).encode())]})
            await send({"type": "http.response.body", "body": body})


class SafeHeaders:
    """Every response says: run nothing from elsewhere, guess no type, keep nothing."""

    HEADERS: ClassVar[list[tuple[bytes, bytes]]] = [
        (b"content-security-policy", CSP.encode()), (b"x-content-type-options", b"nosniff"),
        (b"referrer-policy", b"no-referrer"), (b"cache-control", b"no-store")]

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Any) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *self.HEADERS]
            await send(message)

        await self.app(scope, receive, with_headers)
