"""Turning one generic record (a JSON object or a CSV row) into a ``Post``."""

from __future__ import annotations

import difflib
import re
import shlex
from collections.abc import Iterable, Mapping
from typing import Any

from skjult.i18n import Text
from skjult.model import AUDIENCES, Post, PostMeta
from skjult.readers.base import caption_of
from skjult.readers.errors import RecordError

# Which names a generic export uses for each field, in order of preference.
ALIASES: dict[str, tuple[str, ...]] = {
    "caption": ("caption", "text", "description", "title", "body", "message"),
    "creator": ("creator", "username", "author", "owner", "ownerUsername", "handle", "user",
                "brugernavn"),
    "id": ("id", "post_id", "postId", "shortcode"),
    "platform": ("platform", "network", "source"),
    "created_at": ("created_at", "timestamp", "date", "createdAt", "published_at", "taken_at",
                   "dato"),
    "url": ("url", "permalink", "link", "postUrl"),
    "paid_partnership": ("paid_partnership", "paidPartnership", "is_paid_partnership",
                         "branded_content", "is_branded_content", "betalt_partnerskab"),
    "audience": ("audience",),
    "brand": ("brand", "advertiser", "sponsor", "annoncør"),
}
# Danish names only where they cannot mean anything else: ``Tekst`` or ``Profil`` could hold
# other things, so a file that has them is not read until ``--map`` says (the message suggests it).
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
    raise RecordError(Text("{what} must be true or false, not {value:q}", what=field, value=value))


def fold(name: str) -> str:
    """A column or key name as compared: letter case, surrounding whitespace and a byte-order
    mark do not count (``Caption``, `` caption``, ``\ufeffcaption`` are ``caption``), and spaces
    and hyphens count as underscores (``Paid Partnership``, ``paid-partnership`` are
    ``paid_partnership``)."""
    return _SEPARATORS.sub("_", name.strip().lstrip("\ufeff").strip().casefold())


_SEPARATORS = re.compile(r"[\s_\-]+")


def key_index(record: Mapping[str, Any]) -> dict[str, str]:
    """Each key of ``record`` by its folded name (the first one, when two fold alike)."""
    shape = tuple(record) if len(record) <= 64 else None
    if shape is not None and (known := _INDEXES.get(shape)) is not None:
        return known  # records of a file mostly share their keys: folded once
    index: dict[str, str] = {}
    for key in record:
        if isinstance(key, str):
            index.setdefault(fold(key), key)
    if shape is not None:
        if len(_INDEXES) >= 256:
            _INDEXES.clear()
        _INDEXES[shape] = index
    return index


_INDEXES: dict[tuple[Any, ...], dict[str, str]] = {}  # key_index by the keys, in order
_FOLDED: dict[str, str] = {}  # the names looked for (aliases, --map columns), folded


def _key(record: Mapping[str, Any], index: Mapping[str, str], name: str) -> str | None:
    """The key of ``record`` that ``name`` names: itself, else one spelled alike."""
    if name in record:
        return name
    folded = _FOLDED.get(name)
    if folded is None:
        folded = fold(name)
        if len(_FOLDED) < 1024:
            _FOLDED[name] = folded
    return index.get(folded)


def _get(record: Mapping[str, Any], index: Mapping[str, str], name: str) -> Any:
    key = _key(record, index, name)
    return None if key is None else record.get(key)


def has_field(record: Mapping[str, Any], index: Mapping[str, str], field: str,
              mapping: Mapping[str, str]) -> bool:
    """Whether ``record`` has a key for ``field`` (its ``--map`` column, or a known name)."""
    names = (mapping[field],) if field in mapping else ALIASES[field]
    return any(_key(record, index, name) is not None for name in names)


def unused_names(names: Iterable[str], mapping: Mapping[str, str]) -> list[str]:
    """The names among ``names`` that no field reads (its ``--map`` column, else its known
    names), in their order."""
    read = {fold(name) for field in FIELDS
            for name in ((mapping[field],) if field in mapping else ALIASES[field])}
    return [n for n in names if n.strip().lstrip("\ufeff").strip() and fold(n) not in read]


def _pick(record: Mapping[str, Any], field: str, mapping: Mapping[str, str],
          index: Mapping[str, str]) -> Any:
    if field in mapping:
        return _get(record, index, mapping[field])
    for name in ALIASES[field]:
        value = _get(record, index, name)
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
        raise RecordError(Text("expected an object with a caption, got {type}",
                               type=type(record).__name__))
    mapping = mapping or {}
    defaults = defaults or {}
    index = key_index(record)
    caption = _pick(record, "caption", mapping, index)
    if caption is None and not has_field(record, index, "caption", mapping):
        wanted = mapping.get("caption") or "/".join(ALIASES["caption"][:4])
        raise RecordError(Text("no caption field ({wanted})", wanted=wanted))
    caption = caption_of(caption)
    meta: dict[str, Any] = {}
    paid = _pick(record, "paid_partnership", mapping, index)
    if paid is None:
        paid = defaults.get("paid_partnership")
    if paid is not None:
        meta["paid_partnership"] = parse_bool(paid, "paid_partnership")
    audience = _pick(record, "audience", mapping, index) or defaults.get("audience")
    if audience:
        audience = str(audience).strip().lower()
        if audience not in AUDIENCES:
            raise RecordError(Text("audience must be minors or adults, not {value:q}",
                                   value=audience))
        meta["audience"] = audience
    brand = _pick(record, "brand", mapping, index)
    if brand:
        meta["brand"] = str(brand)

    def text(field: str) -> str | None:
        value = _pick(record, field, mapping, index)
        if value in (None, ""):
            value = defaults.get(field)
        return None if value in (None, "") else str(value)

    return Post(
        text=caption,
        id=text("id"),
        creator=_author(_pick(record, "creator", mapping, index)) or _author(defaults.get("creator")),
        platform=(text("platform") or "").lower() or None,
        created_at=text("created_at"),
        url=text("url"),
        meta=PostMeta.of(meta),
        source=position or None,
    )


# -- naming the column a file's captions are in, when none has a name we know ----------------
SAMPLE_RECORDS = 20  # records looked at to suggest a --map
LISTED_NAMES = 20  # column names listed in a message
# Column names that say "the caption" in the languages of our users, for a file with no rows.
CAPTION_WORDS = ("tekst", "text", "caption", "beskriv", "descri", "indhold", "content",
                 "opslag", "besked", "innhold", "inhalt", "bildtext")
# Column names that say "who posted it"; compared whole (``Produktnavn`` is not a creator).
CREATOR_NAMES = frozenset({
    "profil", "profile", "profilnavn", "profile name", "bruger", "brugernavn", "user",
    "user name", "konto", "kontonavn", "account", "account name", "navn", "name", "handle",
    "influencer", "skaber", "afsender", "kanal", "kanalnavn", "channel", "channel name",
    "page name", "sidenavn", "ejer", "forfatter", "instagram handle", "tiktok handle",
})
_HANDLE = re.compile(r"@[\w.]{1,30}")
_URL = re.compile(r"(?:https?://|www\.)\S*$", re.IGNORECASE)


def _texty(value: Any) -> float:
    """How much a value looks like a caption: its letters, in full when it has several words."""
    if not isinstance(value, str):
        return 0.0
    text = value.strip()
    if not text or _URL.match(text):
        return 0.0
    letters = sum(ch.isalpha() for ch in text[:2000])
    return letters if len(text.split(None, 2)) > 2 else letters / 4


def _spaced(name: str) -> str:
    return " ".join(re.split(r"[\s_\-.]+", fold(name))).strip()


class Columns:
    """The columns (or keys) of a file and what its first records hold in them: enough to name
    the column that most likely holds the captions, and one that holds the creator."""

    def __init__(self, names: Iterable[str] = ()):
        self.names: dict[str, None] = {}
        for name in names:
            self.name(name)
        self.records = 0
        self.text: dict[str, float] = {}  # summed text-likeness of each column's values
        self.handles: dict[str, int] = {}  # values that are one @handle
        self.short: dict[str, int] = {}  # values of one to four words
        self.filled: dict[str, int] = {}

    def name(self, name: str) -> None:
        if name.strip() and len(self.names) < 200:
            self.names.setdefault(name.strip().lstrip("\ufeff"), None)

    def add(self, record: Mapping[str, Any]) -> None:
        for key in record:
            if isinstance(key, str):
                self.name(key)
        if self.records >= SAMPLE_RECORDS:
            return
        self.records += 1
        for key, value in record.items():
            if not isinstance(key, str) or not isinstance(value, str) or not value.strip():
                continue
            key = key.strip().lstrip("\ufeff")
            value = value.strip()
            self.filled[key] = self.filled.get(key, 0) + 1
            self.text[key] = self.text.get(key, 0.0) + _texty(value)
            if _HANDLE.fullmatch(value):
                self.handles[key] = self.handles.get(key, 0) + 1
            if len(value) <= 60 and len(value.split()) <= 4 and not _URL.match(value):
                self.short[key] = self.short.get(key, 0) + 1

    def listing(self) -> str:
        names = list(self.names)
        shown = ", ".join(names[:LISTED_NAMES])
        if len(names) > LISTED_NAMES:
            return Text("{names}, … ({count:n} in all)", names=shown, count=len(names))
        return shown

    def _known(self, name: str) -> str | None:
        """The field a column is known to hold by its name, if any."""
        folded = fold(name)
        return next((f for f, names in ALIASES.items() if folded in {fold(n) for n in names}),
                    None)

    def caption(self) -> str | None:
        """The column whose values look most like captions (several words, many letters); for
        a file without records, one whose name says "text" in a language we know."""
        candidates = [n for n in self.names if self._known(n) in (None, "caption")]
        if self.records:
            scores = {n: self.text.get(n, 0.0) / self.records for n in candidates}
            best = max(scores, key=lambda n: scores[n], default=None)
            if best is not None and scores[best] >= 8:
                return best
            return None
        return next((n for n in candidates if any(w in fold(n) for w in CAPTION_WORDS)), None)

    def creator(self, caption: str | None) -> str | None:
        """A column that holds who posted: named so (``Profil``, ``Brugernavn``) with short
        values, or holding one @handle in most records."""
        for name in self.names:
            if name == caption or self._known(name) is not None:
                continue
            filled = self.filled.get(name, 0)
            if self.records and filled and self.handles.get(name, 0) >= 0.8 * filled:
                return name
            if _spaced(name) in CREATOR_NAMES and (
                    not filled or self.short.get(name, 0) >= 0.8 * filled):
                return name
        return None

    def suggestion(self, mapping: Mapping[str, str], defaults: Mapping[str, Any],
                   has_creator: bool, what: str = "column") -> str:
        """``try --map caption=X`` (and ``--map creator=Y`` when a column looks like one)."""
        caption = self.caption()
        if caption is None:
            if what == "field":
                return Text("name the caption field with --map caption=FIELD (caption, text, "
                            "description and title are recognised)")
            return Text("name the caption column with --map caption=COLUMN (caption, text, "
                        "description and title are recognised)")
        maps = [f"--map {shlex.quote(f'caption={caption}')}"]
        if not has_creator and "creator" not in mapping and not defaults.get("creator"):
            creator = self.creator(caption)
            if creator is not None:
                maps.append(f"--map {shlex.quote(f'creator={creator}')}")
        return Text("try {maps}", maps=" ".join(maps))

    def similar(self, column: str) -> str:
        """``; did you mean "X"?`` for a column name given with --map, or nothing."""
        folded = {fold(n): n for n in self.names}
        close = difflib.get_close_matches(fold(column), list(folded), n=1, cutoff=0.6)
        return Text("; did you mean {name:q}?", name=folded[close[0]]) if close else ""
