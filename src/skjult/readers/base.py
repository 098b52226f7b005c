"""What every reader shares: the items it yields, its options, its errors, and small helpers for
turning platform values (Unix times, "N/A", flags) into a ``Post``."""

from __future__ import annotations

import hashlib
import lzma
import re
import zipfile
import zlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from skjult.i18n import Text
from skjult.items import NO_TEXT, Notice, Opened, Skip, Unreadable
from skjult.model import Post
from skjult.readers.errors import InputError, NoText, RecordError

if TYPE_CHECKING:
    from skjult.readers.document import Document

# What a reader yields, in file order: a post to check, a record it skipped, a note for the user,
# the start of a file (with the format it was read as), or a file it could not read.
Item = Post | Skip | Notice | Opened | Unreadable

EMPTY_CAPTIONS = ("", "N/A", "n/a", "null", "None")
MAX_FLAG_DEPTH = 8


@dataclass(frozen=True)
class ReadOptions:
    mapping: Mapping[str, str] = field(default_factory=dict)  # our field -> their column
    defaults: Mapping[str, Any] = field(default_factory=dict)  # for records that lack a field
    exclude: frozenset[Path] = frozenset()  # resolved files never read: the run's own output
    # The run's rules (id -> category), which a draft's ``skjult: {ignore: [...]}`` may name;
    # None: those of the built-in packs.
    rules: Mapping[str, str] | None = None


def guarded(name: str, items: Iterator[Item], doc: Document | None = None) -> Iterator[Item]:
    """The items of one file; if the file fails as a whole, an ``Unreadable`` (saying how many
    of its records were read before) and the run goes on with the next file. With ``doc``, a
    note when invalid bytes were replaced."""
    records = 0
    try:
        for item in items:
            records += isinstance(item, Post | Skip)
            yield item
    except InputError as exc:
        yield Unreadable(exc.file, _after(exc.message, records))
    except UnicodeDecodeError as exc:
        yield Unreadable(name, _after(Text("not valid text in the detected encoding ({error})",
                                           error=exc.reason), records))
    except (OSError, EOFError, zipfile.BadZipFile, lzma.LZMAError, zlib.error) as exc:
        yield Unreadable(name, _after(Text("cannot be read: {error}", error=str(exc)), records))
    except RecursionError:
        yield Unreadable(name, _after(Text("nested too deeply to read"), records))
    except Exception as exc:  # a bug in a reader: this file fails, named; the run goes on
        yield Unreadable(name, _after(Text("internal error while reading: {error}; please report "
                                           "it", error=repr(exc)), records))
    if doc is not None and doc.replaced:
        yield Notice(name, Text("{count:n|invalid byte for its encoding was|invalid bytes for its "
                                "encoding were} read as {char:q}", count=doc.replaced, char="\ufffd"))


def _after(message: str, records: int) -> str:
    """A file's failure, saying how many of its records were read (and checked) before it."""
    if not records:
        return message
    return Text("{message} (after {count:n|record, which was|records, which were} read and "
                "checked)", message=message, count=records)


# What a converter raises on a record of an unexpected shape (a number where a list belongs, a
# date out of range, nesting beyond the decoder's reach): the record is skipped, the run goes on.
DATA_ERRORS = (RecordError, TypeError, ValueError, KeyError, IndexError, AttributeError,
               OverflowError, RecursionError)


def skip_for(error: Exception, file: str, position: str) -> Skip:
    if isinstance(error, NoText):
        return Skip(file, position, str(error), NO_TEXT)
    if isinstance(error, RecordError):
        return Skip(file, position, str(error))
    if isinstance(error, RecursionError):
        return Skip(file, position, Text("nested too deeply to read"))
    return Skip(file, position, Text("unexpected content ({type}: {error})",
                                     type=type(error).__name__, error=str(error)))


def caption_of(value: Any, what: str = Text("caption")) -> str:
    """A caption, or ``NoText`` when the platform wrote an empty one ("", "N/A", null)."""
    if value is None or (isinstance(value, str) and value.strip() in EMPTY_CAPTIONS):
        raise NoText(Text("no {what}", what=what))
    if not isinstance(value, str):
        raise RecordError(Text("{what} must be text, not {type}", what=what,
                               type=type(value).__name__))
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
    try:
        return datetime.fromtimestamp(number, UTC).isoformat().replace("+00:00", "Z")
    except (OverflowError, OSError, ValueError):  # out of any calendar: kept as written
        return str(value)


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
    # A flag is a value or a small structure; a deep one is kept as whether it is set, so that
    # no output (or anything else that walks it) meets a structure nested to exhaustion.
    post.flags.update({k: v if nesting_depth(v, MAX_FLAG_DEPTH) <= MAX_FLAG_DEPTH else truthy_flag(v)
                       for k, v in flags.items() if v not in (None, "", [], {})})
    if any(truthy_flag(flags.get(name)) for name in paid):
        post.meta.paid_partnership = True
    if sponsor and post.meta.brand is None:
        post.meta.brand = sponsor
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


def nesting_depth(value: Any, cap: int) -> int:
    """How deeply ``value`` nests (1 for a scalar), counted without recursion; stops past ``cap``."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        node, level = stack.pop()
        deepest = max(deepest, level)
        if deepest > cap:
            break
        if isinstance(node, Mapping):
            stack.extend((child, level + 1) for child in node.values())
        elif isinstance(node, list):
            stack.extend((child, level + 1) for child in node)
    return deepest


# JSON can spell half of a UTF-16 surrogate pair ("\\ud83c"); no text can hold one, and every
# output would fail to encode it. Only text with such an escape is looked at.
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def without_lone_surrogates(raw: str, value: Any) -> Any:
    """``value``, decoded from the JSON text ``raw``, with every lone surrogate in its strings
    (keys too) replaced by "\ufffd": one character for one, so offsets hold."""
    if "\\u" not in raw or not _SURROGATE_ESCAPE.search(raw):
        return value

    def whole(text: str) -> str:
        return _LONE_SURROGATE.sub("\ufffd", text)

    if isinstance(value, str):
        return whole(value)
    stack = [value]
    while stack:  # without recursion: the value may nest as deep as the decoder went
        node = stack.pop()
        if isinstance(node, list):
            for index, item in enumerate(node):
                if isinstance(item, str):
                    node[index] = whole(item)
                elif isinstance(item, list | dict):
                    stack.append(item)
        elif isinstance(node, dict):
            for key, item in list(node.items()):
                if isinstance(item, list | dict):
                    stack.append(item)
                fixed = whole(item) if isinstance(item, str) else item
                if isinstance(key, str) and _LONE_SURROGATE.search(key):
                    del node[key]
                    node[whole(key)] = fixed
                elif fixed is not item:
                    node[key] = fixed
    return value
