"""The API described for its callers (OpenAPI 3.1, served at ``/openapi.json`` and shown at
``/docs``). The limits come from ``api``, so the description cannot drift from what is done."""

from __future__ import annotations

from typing import Any

from skjult import __version__
from skjult.model import AUDIENCES, CATEGORIES
from skjult.rules.pack import available_packs
from skjult.serve import api

_TEXT = {"type": ["string", "null"]}
_INT = {"type": ["integer", "null"]}


def _object(properties: dict[str, Any], required: tuple[str, ...] = ()) -> dict[str, Any]:
    return {"type": "object", "properties": properties, "required": list(required)}


def spec() -> dict[str, Any]:
    post = _object({
        "caption": {"type": "string", "maxLength": api.MAX_CAPTION,
                    "description": "The caption as it will be published."},
        "creator": _TEXT, "platform": {**_TEXT, "examples": ["instagram", "tiktok"]},
        "id": _TEXT, "created_at": {**_TEXT, "description": "ISO 8601"}, "url": _TEXT,
        "brand": {**_TEXT, "description": "The advertiser, when the post is for one."},
        "paid_partnership": {"type": ["boolean", "null"],
                             "description": "The platform's paid-partnership label is on."},
        "audience": {"enum": [*AUDIENCES, None]},
    }, ("caption",))
    settings = {
        "jurisdiction": {"enum": list(available_packs()), "default": "dk",
                         "description": "Whose rules apply."},
        "lang": {"enum": ["da", "en"], "default": "da",
                 "description": "The language of messages and fixes."},
    }
    finding = _object({
        "rule": {"type": "string"}, "category": {"enum": list(CATEGORIES)},
        "severity": {"enum": ["error", "warning", "info"]}, "message": {"type": "string"},
        "start": {"type": "integer", "description": "Offset in the caption as sent."},
        "end": {"type": "integer"}, "line": {"type": "integer"}, "column": {"type": "integer"},
        "text": {"type": "string"}, "fix": _TEXT, "source": {"type": "string", "format": "uri"},
        "whole_post": {"type": "boolean"},
        "supersedes": {"type": "array", "items": {"type": "string"}},
    })
    result = _object({
        "id": _TEXT, "creator": _TEXT, "platform": _TEXT, "created_at": _TEXT, "url": _TEXT,
        "source": _TEXT, "caption": {"type": "string"}, "flags": {"type": "object"},
        "language": {"type": "string"},
        "verdict": {"enum": ["not_commercial", "compliant", "warning", "violation"],
                    "description": "Block publishing on violation."},
        "commercial": {"type": "object"}, "disclosures": {"type": "array"},
        "findings": {"type": "array", "items": {"$ref": "#/components/schemas/Finding"}},
        "notes": {"type": "array", "items": {"type": "string"}},
        "suppressed": {"type": "array"},
        "fixed_caption": {**_TEXT, "description": "The caption with every mechanical fix made; "
                                                  "null when no finding has one."},
        "fixes_left": {"type": "array", "items": {"type": "string"},
                       "description": "Rules whose findings need a person."},
        "findings_omitted": {"type": "integer", "description": f"Findings past the first "
                                                               f"{api.MAX_FINDINGS}, counted "
                                                               f"but not listed."},
    })
    error = _object({"error": _object({"code": {"type": "string"},
                                       "message": {"type": "string"}}, ("code", "message"))})
    errors = {str(status): {"description": why, "content": {"application/json": {
        "schema": {"$ref": "#/components/schemas/Error"}}}}
        for status, why in ((400, "The body is not JSON."),
                            (401, "A token is required and missing or wrong."),
                            (413, "The body, a caption or the batch is too large."),
                            (415, "The body is not application/json."),
                            (422, "A field is missing, of the wrong type, or unknown."),
                            (503, "The check took too long."))}

    def body(schema: dict[str, Any]) -> dict[str, Any]:
        return {"required": True, "content": {"application/json": {"schema": schema}}}

    return {
        "openapi": "3.1.0",
        "info": {"title": "skjult", "version": __version__,
                 "description": "Checks social-media captions for hidden advertising. The "
                                "results are the `--format jsonl` records of `skjult check`."},
        "components": {
            "schemas": {"Post": post, "Result": result, "Finding": finding, "Error": error},
            "securitySchemes": {"token": {"type": "http", "scheme": "bearer",
                                          "description": "SKJULT_TOKEN; required when the "
                                                         "server listens beyond localhost."}},
        },
        "security": [{"token": []}, {}],
        "paths": {
            "/v1/check": {"post": {
                "summary": "Check one caption",
                "requestBody": body({"allOf": [{"$ref": "#/components/schemas/Post"},
                                               _object(settings)]}),
                "responses": {"200": {"description": "The post's result.", "content": {
                    "application/json": {"schema": {"$ref": "#/components/schemas/Result"}}}},
                    **errors}}},
            "/v1/check/batch": {"post": {
                "summary": f"Check up to {api.MAX_BATCH} posts",
                "requestBody": body(_object({
                    "posts": {"type": "array", "minItems": 1, "maxItems": api.MAX_BATCH,
                              "items": {"$ref": "#/components/schemas/Post"}},
                    **settings}, ("posts",))),
                "responses": {"200": {"description": "Each post's result, in order, and the "
                                                     "summary per creator.", "content": {
                    "application/json": {"schema": _object({
                        "results": {"type": "array",
                                    "items": {"$ref": "#/components/schemas/Result"}},
                        "creators": {"type": "array"}, "totals": {"type": "object"}})}}},
                    **errors}}},
            "/v1/rules": {"get": {
                "summary": "The rules in force",
                "parameters": [{"name": "jurisdiction", "in": "query", "required": False,
                                "schema": settings["jurisdiction"]},
                               {"name": "lang", "in": "query", "required": False,
                                "schema": settings["lang"]}],
                "responses": {"200": {"description": "Rule ids, categories, severities, "
                                                     "messages and sources."}, **errors}}},
            "/healthz": {"get": {"summary": "Whether the server is up, and its limits",
                                 "security": [{}],
                                 "responses": {"200": {"description": "Up."}}}},
        },
    }
