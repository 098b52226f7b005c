"""Turning one generic record (a JSON object or a CSV row) into a ``Post``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from skjult.model import AUDIENCES, Post
from skjult.readers.base import RecordError, caption_of

# Which names a generic export uses for each field, in order of preference.
ALIASES: dict[str, tuple[str, ...]] = {
    "caption": ("caption", "text", "description", "title", "body", "message"),
    "creator": ("creator", "username", "author", "owner", "ownerUsername", "handle", "user"),
    "id": ("id", "post_id", "postId", "shortcode"),
    "platform": ("platform", "network", "source"),
    "created_at": ("created_at", "timestamp", "date", "createdAt", "published_at", "taken_at"),
    "url": ("url", "permalink", "link", "postUrl"),
    "paid_partnership": ("paid_partnership", "paidPartnership", "is_paid_partnership",
                         "branded_content", "is_branded_content"),
    "audience": ("audience",),
    "brand": ("brand", "advertiser", "sponsor"),
}
FIELDS = tuple(ALIASES)
TRUE_WORDS = {"true", "1", "yes", "ja", "y", "x", "sand"}
FALSE_WORDS = {"false", "0", "no", "nej", "n", "", "falsk", "none", "null"}


def parse_bool(value: Any, field: str) -> bool:
    if isinstance(value, bool):
        return value
    if value is None:
        return False
    text = str(value).strip().lower()
    if text in TRUE_WORDS:
        return True
    if text in FALSE_WORDS:
        return False
    raise RecordError(f"{field} must be true or false, not {value!r}")


def _pick(record: Mapping[str, Any], field: str, mapping: Mapping[str, str]) -> Any:
    if field in mapping:
        return record.get(mapping[field])
    for name in ALIASES[field]:
        value = record.get(name)
        if value not in (None, ""):
            return value
    return None


def _author(value: Any) -> str | None:
    """Authors come as strings or as objects (``{"username": ...}``)."""
    if isinstance(value, Mapping):
        for key in ("username", "uniqueId", "name", "id"):
            if value.get(key):
                return str(value[key])
        return None
    return None if value in (None, "") else str(value)


def post_from_mapping(record: Mapping[str, Any], *, position: str = "",
                      mapping: Mapping[str, str] | None = None,
                      defaults: Mapping[str, Any] | None = None) -> Post:
    """A ``Post`` from a generic record; raises ``RecordError`` when it has no caption."""
    if not isinstance(record, Mapping):
        raise RecordError(f"expected an object with a caption, got {type(record).__name__}")
    mapping = mapping or {}
    defaults = defaults or {}
    caption = _pick(record, "caption", mapping)
    if caption is None:
        wanted = mapping.get("caption") or "/".join(ALIASES["caption"][:4])
        if not any(name in record for name in (mapping.get("caption"), *ALIASES["caption"])):
            raise RecordError(f"no caption field ({wanted})")
    caption = caption_of(caption)
    meta: dict[str, Any] = {}
    paid = _pick(record, "paid_partnership", mapping)
    if paid is None:
        paid = defaults.get("paid_partnership")
    if paid is not None:
        meta["paid_partnership"] = parse_bool(paid, "paid_partnership")
    audience = _pick(record, "audience", mapping) or defaults.get("audience")
    if audience:
        audience = str(audience).strip().lower()
        if audience not in AUDIENCES:
            raise RecordError(f"audience must be minors or adults, not {audience!r}")
        meta["audience"] = audience
    brand = _pick(record, "brand", mapping)
    if brand:
        meta["brand"] = str(brand)

    def text(field: str) -> str | None:
        value = _pick(record, field, mapping)
        if value in (None, ""):
            value = defaults.get(field)
        return None if value in (None, "") else str(value)

    return Post(
        text=caption,
        id=text("id"),
        creator=_author(_pick(record, "creator", mapping)) or _author(defaults.get("creator")),
        platform=(text("platform") or "").lower() or None,
        created_at=text("created_at"),
        url=text("url"),
        meta=meta,
        source=position or None,
    )
