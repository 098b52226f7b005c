"""Apify's Instagram and TikTok scrapers: dataset items as JSON, JSON Lines or the flattened CSV
(``authorMeta/name``, ``authorMeta.name``, ``hashtags/0``).

``paidPartnership`` (in some Instagram actor versions) marks a paid partnership. ``isSponsored``
and ``isAd`` mean the post was boosted as an ad on the platform, not that it is a partnership;
they are kept as flags only."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from skjult.i18n import Text
from skjult.model import Post
from skjult.readers.base import Item, ReadOptions, apply_flags, caption_of, dig, iso_time
from skjult.readers.document import Document
from skjult.readers.errors import RecordError
from skjult.readers.format import CsvHeader, InputFormat, JsonSignature, keys
from skjult.readers.generic import read_records

INSTAGRAM = "apify-instagram"
TIKTOK = "apify-tiktok"


def _object(record: Any) -> dict[str, Any]:
    if not isinstance(record, dict):
        raise RecordError(Text("expected an object, got {type}", type=type(record).__name__))
    return record


def _usernames(value: Any) -> list[str]:
    items = value.values() if isinstance(value, dict) else value if isinstance(value, list) else []
    return [str(dig(v, "username")) for v in items if dig(v, "username")]


def convert_instagram(record: Any, options: ReadOptions) -> Post:
    record = _object(record)
    if record.get("error"):  # the scraper's own "could not fetch" items
        raise RecordError(Text("scraper error item: {error}",
                               error=str(record.get("errorDescription") or record["error"])))
    post = Post(text=caption_of(record.get("caption")),
                id=str(record.get("id") or record.get("shortCode") or "") or None,
                creator=record.get("ownerUsername") or None, platform="instagram",
                created_at=iso_time(record.get("timestamp")),
                url=record.get("url") or (f"https://www.instagram.com/p/{record['shortCode']}/"
                                          if record.get("shortCode") else None))
    flags = {"paidPartnership": record.get("paidPartnership"),
             "isSponsored": record.get("isSponsored"),
             "coauthorProducers": _usernames(record.get("coauthorProducers")),
             "taggedUsers": _usernames(record.get("taggedUsers"))}
    return apply_flags(post, flags, paid=("paidPartnership",))


def convert_tiktok(record: Any, options: ReadOptions) -> Post:
    record = _object(record)
    author = dig(record, "authorMeta", "name") or dig(record, "authorMeta", "uniqueId")
    video_id = record.get("id")
    post = Post(text=caption_of(record.get("text")), id=str(video_id) if video_id else None,
                creator=str(author) if author else None, platform="tiktok",
                created_at=iso_time(record.get("createTimeISO") or record.get("createTime")),
                url=record.get("webVideoUrl") or None)
    flags = {"isAd": record.get("isAd"), "isSponsored": record.get("isSponsored")}
    return apply_flags(post, flags, paid=())


def read_instagram(doc: Document, options: ReadOptions) -> Iterator[Item]:
    yield from read_records(doc, options, INSTAGRAM, convert_instagram, Text("Apify Instagram items"))


def read_tiktok(doc: Document, options: ReadOptions) -> Iterator[Item]:
    yield from read_records(doc, options, TIKTOK, convert_tiktok, Text("Apify TikTok items"))


def _instagram_header(header: list[str]) -> bool:
    return bool(set(header) & {"ownerUsername", "shortCode"})


def _tiktok_header(header: list[str]) -> bool:
    # the author object flattened into columns: "authorMeta/name" or "authorMeta.name"
    return any(h.startswith(("authorMeta/", "authorMeta.")) for h in header)


INSTAGRAM_FORMAT = InputFormat(
    name=INSTAGRAM,
    title=Text("Apify Instagram scraper dataset (JSON, JSONL or CSV)"),
    hand_in=Text("the dataset export as JSON or CSV"),
    read_file=read_instagram,
    json_signatures=(JsonSignature(60, any_of=keys("ownerUsername", "shortCode")),),
    csv_header=CsvHeader(40, _instagram_header),
)

TIKTOK_FORMAT = InputFormat(
    name=TIKTOK,
    title=Text("Apify TikTok scraper dataset (JSON, JSONL or CSV)"),
    hand_in=Text("the dataset export as JSON or CSV"),
    read_file=read_tiktok,
    json_signatures=(JsonSignature(70, any_of=keys("authorMeta", "webVideoUrl")),),
    csv_header=CsvHeader(30, _tiktok_header),
)
