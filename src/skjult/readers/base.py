"""What every reader shares: the items it yields, its options, its errors, and small helpers for
turning platform values (Unix times, "N/A", flags) into a ``Post``."""

from __future__ import annotations

import hashlib
import lzma
import zipfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from skjult.model import NO_TEXT, Notice, Opened, Post, Skip, Unreadable

# What a reader yields, in file order: a post to check, a record it skipped, a note for the user,
# the start of a file (with the format it was read as), or a file it could not read.
Item = Post | Skip | Notice | Opened | Unreadable

EMPTY_CAPTIONS = ("", "N/A", "n/a", "null", "None")


class InputError(Exception):
    """A whole file cannot be read; the message names the file and what was expected."""

    def __init__(self, file: str, message: str):
        self.file = file
        self.message = message
        super().__init__(f"{file}: {message}")


class RecordError(ValueError):
    """A record that cannot become a post; the message says why."""


class NoText(RecordError):
    """A record without a caption: counted as skipped for having nothing to check."""


@dataclass(frozen=True)
class ReadOptions:
    mapping: Mapping[str, str] = field(default_factory=dict)  # our field -> their column
    defaults: Mapping[str, Any] = field(default_factory=dict)  # for records that lack a field


def guarded(name: str, items: Iterator[Item]) -> Iterator[Item]:
    """The items of one file; if the file fails as a whole, an ``Unreadable`` and the run goes
    on with the next file."""
    try:
        yield from items
    except InputError as exc:
        yield Unreadable(exc.file, exc.message)
    except UnicodeDecodeError as exc:
        yield Unreadable(name, f"not valid text in the detected encoding ({exc.reason})")
    except (OSError, EOFError, zipfile.BadZipFile, lzma.LZMAError) as exc:
        yield Unreadable(name, f"cannot be read: {exc}")


def skip_for(error: RecordError, file: str, position: str) -> Skip:
    kind = NO_TEXT if isinstance(error, NoText) else "broken"
    return Skip(file, position, str(error), kind)


def caption_of(value: Any, what: str = "caption") -> str:
    """A caption, or ``NoText`` when the platform wrote an empty one ("", "N/A", null)."""
    if value is None or (isinstance(value, str) and value.strip() in EMPTY_CAPTIONS):
        raise NoText(f"no {what}")
    if not isinstance(value, str):
        raise RecordError(f"{what} must be text, not {type(value).__name__}")
    return value


def from_unix(value: Any) -> str | None:
    """Unix seconds (or milliseconds) as ISO 8601 UTC."""
    if value in (None, "", 0):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return str(value)
    if number > 1e11:  # milliseconds
        number /= 1000
    return datetime.fromtimestamp(number, UTC).isoformat().replace("+00:00", "Z")


def iso_time(value: Any, *, naive_is_utc: bool = True) -> str | None:
    """ISO-ish times from the platforms ("Z", "+0000", "+00:00", no zone) as ISO 8601."""
    if value in (None, ""):
        return None
    if isinstance(value, int | float):
        return from_unix(value)
    text = str(value).strip()
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return text
    if moment.tzinfo is None:
        if not naive_is_utc:
            return moment.isoformat()
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def stable_id(prefix: str, *parts: Any) -> str:
    """A deterministic id for posts the export gives none: same export, same id."""
    digest = hashlib.sha1("\x1f".join("" if p is None else str(p) for p in parts).encode("utf-8"))
    return f"{prefix}-{digest.hexdigest()[:16]}"


def truthy_flag(value: Any) -> bool:
    """Platform flags come as booleans, strings ("true", "Yes") or names (a sponsor)."""
    if isinstance(value, bool):
        return value
    if value is None:
        return False
    if isinstance(value, int | float):
        return value != 0
    if isinstance(value, list | dict):
        return bool(value)
    return str(value).strip().lower() not in ("", "false", "0", "no", "n/a", "none", "null", "off")


def apply_flags(post: Post, flags: Mapping[str, Any], paid: tuple[str, ...],
                sponsor: str | None = None) -> Post:
    """Record the platform's flags on a post; the ones named in ``paid`` mark a paid partnership
    (evidence that the post is commercial, never that it is disclosed)."""
    post.flags.update({k: v for k, v in flags.items() if v not in (None, "", [], {})})
    if any(truthy_flag(flags.get(name)) for name in paid):
        post.meta["paid_partnership"] = True
    if sponsor:
        post.meta.setdefault("brand", sponsor)
    return post


def dig(record: Any, *path: str | int) -> Any:
    """``record[a][b]...`` or None when any step is missing."""
    for step in path:
        if isinstance(step, int):
            if not isinstance(record, list) or not -len(record) <= step < len(record):
                return None
        elif not isinstance(record, Mapping):
            return None
        record = record[step] if isinstance(step, int) else record.get(step)
    return record


def unflatten(row: Mapping[str, Any], separators: str = "/.") -> dict[str, Any]:
    """A flattened CSV row (``authorMeta/name``, ``authorMeta.name``, ``hashtags/0``) as nested
    objects; lists stay dicts keyed by index, which is all the readers need."""
    out: dict[str, Any] = {}
    for key, value in row.items():
        if key is None:
            continue
        parts = [key]
        for sep in separators:
            if sep in key:
                parts = key.split(sep)
                break
        node = out
        for part in parts[:-1]:
            child = node.get(part)
            if not isinstance(child, dict):
                child = node[part] = {}
            node = child
        node[parts[-1]] = value
    return out
