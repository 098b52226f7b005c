"""What the web API does, without the web: a request body read and checked field by field into
posts, checked with a rule set built once a day, and answered with the ``jsonl`` contract.

Every problem with a request is an ``ApiError`` with a status, a stable code and a message that
names the field; nothing a client sends can make a 500."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from skjult.checker import Checker
from skjult.errors import did_you_mean
from skjult.fix import apply_edits
from skjult.i18n import LANGS
from skjult.model import AUDIENCES, Post, PostMeta, PostResult
from skjult.readers.base import EMPTY_CAPTIONS
from skjult.readers.limits import MAX_CAPTION_CHARS
from skjult.report.summary import Report
from skjult.report.terminal import encodable
from skjult.rules.pack import available_packs

MAX_CAPTION = MAX_CAPTION_CHARS  # characters of one caption, as in any export
MAX_BATCH = 100  # posts in one /v1/check/batch request
MAX_BODY = 1_000_000  # bytes of one request body (a full batch of long captions fits)
MAX_FINDINGS = 100  # findings listed per post; a caption of 25,000 "#ad" has 25,000
TEXT_FIELDS = ("creator", "platform", "id", "created_at", "url", "brand")
POST_FIELDS = ("caption", *TEXT_FIELDS, "paid_partnership", "audience")
SETTINGS = ("jurisdiction", "lang")


class ApiError(Exception):
    """A request the API cannot answer: ``status`` (4xx), a stable ``code`` and a message."""

    def __init__(self, status: int, code: str, message: str):
        message = encodable(message)  # a field name from the request may hold half an emoji
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message

    def to_dict(self) -> dict[str, Any]:
        return {"error": {"code": self.code, "message": self.message}}


@dataclass(frozen=True)
class Settings:
    jurisdiction: str = "dk"
    lang: str = "da"


def checker_of(settings: Settings, today: dt.date | None = None) -> Checker:
    """The rule set for these settings, built once a day: rules with an end date, and
    suppressions that expire, are judged against today's date."""
    return _checker(settings.jurisdiction, settings.lang, today or dt.date.today())


@functools.lru_cache(maxsize=8)
def _checker(jurisdiction: str, lang: str, today: dt.date) -> Checker:
    return Checker(jurisdiction, lang=lang, today=today)


@functools.cache
def _packs() -> tuple[str, ...]:
    """The packs there are (looked up once: a look on disk costs more than a check)."""
    return tuple(available_packs())


def settings_of(body: Mapping[str, Any], default: Settings) -> Settings:
    jurisdiction = body.get("jurisdiction", default.jurisdiction)
    lang = body.get("lang", default.lang)
    packs = _packs()
    if not isinstance(jurisdiction, str) or jurisdiction not in packs:
        raise ApiError(422, "unknown_jurisdiction",
                       f"jurisdiction must be one of {', '.join(packs)}, not {jurisdiction!r}"
                       + _hint(jurisdiction, packs))
    if not isinstance(lang, str) or lang not in LANGS:
        raise ApiError(422, "unknown_lang", f"lang must be one of {', '.join(LANGS)}, not "
                                            f"{lang!r}")
    return Settings(jurisdiction, lang)


def post_of(item: Any, where: str = "") -> Post:
    """A post from a request's object; an ``ApiError`` (422) naming the field otherwise. In a
    batch (``where`` given) a post cannot choose its own rules: the batch does."""
    at = f"{where}." if where else ""
    if not isinstance(item, Mapping):
        raise ApiError(422, "invalid_post", f"{where or 'the body'} must be an object with a "
                                            f"caption, not {_kind(item)}")
    allowed = POST_FIELDS if where else (*POST_FIELDS, *SETTINGS)
    unknown = [k for k in item if k not in allowed]
    if unknown:
        key = str(unknown[0])
        why = "the batch chooses the rules, not its posts" if key in SETTINGS else \
            f"no such field{_hint(key, POST_FIELDS)}"
        raise ApiError(422, "unknown_field", f"{at}{key}: {why}; the fields are "
                                             f"{', '.join(POST_FIELDS)}")
    caption = item.get("caption")
    if not isinstance(caption, str):
        raise ApiError(422, "invalid_caption", f"{at}caption must be text, not {_kind(caption)}")
    if len(caption) > MAX_CAPTION_CHARS:
        raise ApiError(413, "caption_too_long", f"{at}caption has {len(caption):,} characters; "
                                                f"at most {MAX_CAPTION_CHARS:,}")
    if caption.strip() in EMPTY_CAPTIONS:  # as the command line: no text, nothing to judge
        raise ApiError(422, "empty_caption", f"{at}caption has no text")
    caption = encodable(caption)
    fields: dict[str, str | None] = {}
    for name in TEXT_FIELDS:
        value = item.get(name)
        if value is not None and not isinstance(value, str):
            raise ApiError(422, "invalid_field", f"{at}{name} must be text, not {_kind(value)}")
        if isinstance(value, str) and len(value) > 2_000:
            raise ApiError(413, "field_too_long", f"{at}{name} has {len(value):,} characters; "
                                                  f"at most 2,000")
        fields[name] = encodable(value) if value else None
    paid = item.get("paid_partnership")
    if paid is not None and not isinstance(paid, bool):
        raise ApiError(422, "invalid_field", f"{at}paid_partnership must be true or false, not "
                                             f"{_kind(paid)}")
    audience = item.get("audience")
    if audience is not None and audience not in AUDIENCES:
        raise ApiError(422, "invalid_field", f"{at}audience must be one of "
                                             f"{', '.join(AUDIENCES)}, or left out")
    meta = {k: v for k, v in (("paid_partnership", paid), ("audience", audience),
                              ("brand", fields["brand"])) if v is not None}
    platform = fields["platform"]
    return Post(text=caption, id=fields["id"], creator=fields["creator"],
                platform=platform.lower() if platform else None,
                created_at=fields["created_at"], url=fields["url"], meta=PostMeta.of(meta))


def answer(result: PostResult) -> dict[str, Any]:
    """A post's result as the ``jsonl`` record, with ``fixed_caption``: the caption with every
    mechanical fix applied, or null when no finding has one (``fixes_left``: the rules whose
    findings need a person). Past ``MAX_FINDINGS`` findings the rest are counted in
    ``findings_omitted``, not listed (the verdict counts them all)."""
    record = result.to_dict()
    omitted = len(record["findings"]) - MAX_FINDINGS
    if omitted > 0:
        record["findings"] = record["findings"][:MAX_FINDINGS]
    record["findings_omitted"] = max(0, omitted)
    edits = [e for f in result.findings if f.edits for e in f.edits]
    record["fixed_caption"] = apply_edits(result.post.text, edits) if edits else None
    record["fixes_left"] = sorted({f.rule for f in result.findings if f.edits is None})
    return record


def check_one(body: Any, default: Settings) -> dict[str, Any]:
    if not isinstance(body, Mapping):
        raise ApiError(422, "invalid_post", f"the body must be a JSON object with a caption, not "
                                            f"{_kind(body)}")
    settings = settings_of(body, default)
    post = post_of(body)
    return answer(checker_of(settings).runner.judge.results([post]).__next__())


def check_batch(body: Any, default: Settings) -> dict[str, Any]:
    if not isinstance(body, Mapping):
        raise ApiError(422, "invalid_batch", f"the body must be an object with posts, not "
                                             f"{_kind(body)}")
    unknown = [k for k in body if k not in ("posts", *SETTINGS)]
    if unknown:
        raise ApiError(422, "unknown_field", f"{unknown[0]}: no such field; a batch has posts, "
                                             f"jurisdiction and lang")
    settings = settings_of(body, default)
    items = body.get("posts")
    if not isinstance(items, list):
        raise ApiError(422, "invalid_batch", f"posts must be a list of posts, not {_kind(items)}")
    if not items:
        raise ApiError(422, "empty_batch", "posts is empty: nothing to check")
    if len(items) > MAX_BATCH:
        raise ApiError(413, "batch_too_large", f"{len(items):,} posts; at most {MAX_BATCH} in "
                                               f"one request")
    posts = [post_of(item, f"posts[{n}]") for n, item in enumerate(items)]
    report = Report()
    results = []
    for result in checker_of(settings).runner.judge.results(posts):
        report.add(result)
        results.append(answer(result))
    return {"results": results, "creators": [c.to_dict() for c in report.sorted_creators()],
            "totals": {k: v for k, v in report.totals().items()
                       if k in ("checked", "verdicts")}}


def rules_of(default: Settings, jurisdiction: str | None, lang: str | None = None
             ) -> dict[str, Any]:
    asked = {k: v for k, v in (("jurisdiction", jurisdiction), ("lang", lang)) if v}
    settings = settings_of(asked, default)
    checker = checker_of(settings)
    return {"jurisdiction": settings.jurisdiction,
            "rules": [{"id": r.id, "category": r.category, "severity": str(r.severity),
                       "kind": r.kind, "message": r.message.get(settings.lang, ""),
                       "source": r.source} for r in checker.rules]}


def _kind(value: Any) -> str:
    names = {dict: "an object", list: "a list", str: "text", bool: "true/false", int: "a number",
             float: "a number", type(None): "null"}
    return names.get(type(value), type(value).__name__)


def _hint(value: Any, choices: tuple[str, ...] | list[str]) -> str:
    found = did_you_mean(value, list(choices)) if isinstance(value, str) else None
    return f" ({found})" if found else ""
