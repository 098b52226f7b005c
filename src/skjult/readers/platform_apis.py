"""Records from platform APIs and research tools: the Instagram Graph API's media objects, the
Meta Content Library (API JSON or its CSV download) and CrowdTangle's historical CSV exports."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from skjult.i18n import Text
from skjult.model import Post
from skjult.readers.base import Item, ReadOptions, apply_flags, caption_of, dig, iso_time
from skjult.readers.document import Document
from skjult.readers.errors import RecordError
from skjult.readers.format import CsvHeader, InputFormat, JsonSignature, keys
from skjult.readers.generic import read_records

GRAPH = "instagram-graph"
MCL = "meta-content-library"
CROWDTANGLE = "crowdtangle"


def convert_graph(record: Any, options: ReadOptions) -> Post:
    """IG Media: ``caption``, ``username``, ``permalink``, ``timestamp`` (``+0000``). Captions read
    by a non-admin token lose the ``@`` of mentions; nothing here can restore it."""
    if not isinstance(record, dict):
        raise RecordError(f"expected an object, got {type(record).__name__}")
    post = Post(text=caption_of(record.get("caption")), id=str(record.get("id") or "") or None,
                creator=record.get("username") or None, platform="instagram",
                created_at=iso_time(record.get("timestamp")), url=record.get("permalink") or None)
    return apply_flags(post, {"media_product_type": record.get("media_product_type")}, paid=())


def convert_mcl(record: Any, options: ReadOptions) -> Post:
    """Meta Content Library rows: ``text``, ``post_owner``, ``is_branded_content`` (the explicit
    paid-partnership flag)."""
    if not isinstance(record, dict):
        raise RecordError(f"expected an object, got {type(record).__name__}")
    url = record.get("mcl_url") or record.get("url") or ""
    platform = "instagram" if "instagram.com" in str(url) else \
        "facebook" if "facebook.com" in str(url) else None
    owner = dig(record, "post_owner", "username") or dig(record, "post_owner", "name")
    post = Post(text=caption_of(record.get("text")), id=str(record.get("id") or "") or None,
                creator=str(owner) if owner else None, platform=platform,
                created_at=iso_time(record.get("creation_time")), url=str(url) or None)
    return apply_flags(post, {"is_branded_content": record.get("is_branded_content")},
                       paid=("is_branded_content",))


def _ct(row: Mapping[str, Any], name: str) -> str | None:
    value = row.get(name)
    return str(value).strip() or None if value is not None else None


def convert_crowdtangle(row: Any, options: ReadOptions) -> Post:
    """The Instagram export's caption is ``Description``; the Facebook export's is ``Message``
    (its ``Description`` is the link preview). ``Sponsor Name`` is the branded-content partner."""
    if not isinstance(row, dict):
        raise RecordError(Text("expected a CSV row"))
    facebook = "Message" in row or "Page Name" in row
    text = row.get("Message") if facebook else row.get("Description")
    # "2021-03-04 15:22:10 EST": the dashboard's zone abbreviation is ambiguous, so the time is
    # kept as the export wrote it.
    created = _ct(row, "Post Created")
    post = Post(text=caption_of(text, Text("caption ({column})",
                                           column="Message" if facebook else "Description")),
                creator=_ct(row, "User Name") or _ct(row, "Page Name") or _ct(row, "Account"),
                platform="facebook" if facebook else "instagram",
                created_at=created, url=_ct(row, "URL"))
    post.id = post.url  # the export's only per-post identifier
    sponsor = _ct(row, "Sponsor Name")
    return apply_flags(post, {"Sponsor Id": _ct(row, "Sponsor Id"), "Sponsor Name": sponsor},
                       paid=("Sponsor Id", "Sponsor Name"), sponsor=sponsor)


def read_graph(doc: Document, options: ReadOptions) -> Iterator[Item]:
    yield from read_records(doc, options, GRAPH, convert_graph, Text("Instagram Graph API JSON"))


def read_mcl(doc: Document, options: ReadOptions) -> Iterator[Item]:
    yield from read_records(doc, options, MCL, convert_mcl, Text("Meta Content Library JSON or CSV"))


def read_crowdtangle(doc: Document, options: ReadOptions) -> Iterator[Item]:
    yield from read_records(doc, options, CROWDTANGLE, convert_crowdtangle, Text("CrowdTangle CSV"),
                            nested_csv=False)


def _graph_header(header: list[str]) -> bool:
    return "media_product_type" in header


def _mcl_header(header: list[str]) -> bool:
    # the owner object flattened into columns: "post_owner/name" or "post_owner.name"
    return any(h.startswith(("post_owner/", "post_owner.")) for h in header)


def _crowdtangle_header(header: list[str]) -> bool:
    names = set(header)
    return "Post Created" in names and bool(names & {"User Name", "Page Name"})


GRAPH_FORMAT = InputFormat(
    name=GRAPH,
    title=Text("Instagram Graph API media objects (JSON)"),
    hand_in=Text("the /media response ({{\"data\": [...]}}) or one object per line"),
    read_file=read_graph,
    json_signatures=(JsonSignature(90, any_of=keys("media_product_type")),),
    csv_header=CsvHeader(60, _graph_header),
)

MCL_FORMAT = InputFormat(
    name=MCL,
    title=Text("Meta Content Library posts (API JSON or CSV download)"),
    hand_in=Text("the JSON or CSV file"),
    read_file=read_mcl,
    json_signatures=(JsonSignature(80, any_of=keys("post_owner", "is_branded_content")),),
    csv_header=CsvHeader(50, _mcl_header),
)

CROWDTANGLE_FORMAT = InputFormat(
    name=CROWDTANGLE,
    title=Text("CrowdTangle historical data (CSV, Instagram or Facebook)"),
    hand_in=Text("the CSV as downloaded"),
    read_file=read_crowdtangle,
    csv_header=CsvHeader(20, _crowdtangle_header),
)
