"""Plain data that flows through skjult: posts in, results and summaries out."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import IntEnum, StrEnum
from typing import Any


class Verdict(StrEnum):
    NOT_COMMERCIAL = "not_commercial"
    COMPLIANT = "compliant"
    WARNING = "warning"
    VIOLATION = "violation"


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def rank(self) -> int:
        return {"info": 1, "warning": 2, "error": 3}[self.value]


class Strength(IntEnum):
    """How sure a piece of evidence makes us that a post is commercial."""

    NONE = 0
    WEAK = 1  # needs a human look; never an error on its own
    STRONG = 2  # gifts, collaborations, labels of any kind
    HARD = 3  # platform flag, affiliate link, discount code, campaign list

    @property
    def label(self) -> str:
        return self.name.lower()


AUDIENCES = ("minors", "adults")  # who a post speaks to (post metadata ``audience``)

CATEGORIES = (
    "label-missing",
    "label-placement",
    "label-weak",
    "label-language",
    "advertiser-unnamed",
    "minors",
    "product-gambling",
    "product-alcohol",
    "product-tobacco",
    "product-medicine",
    "product-health-claim",
)


@dataclass(slots=True)
class PostMeta:
    """What a post's data says about it beyond the caption, as the rules read it.

    Readers fill it from an export's fields or a draft's front matter, library callers from
    keywords; packs name these fields in ``metadata:`` (the platform flag as evidence)."""

    paid_partnership: bool | None = None  # the platform's "paid partnership" flag
    audience: str | None = None  # who the post speaks to: "minors" or "adults"
    brand: str | None = None  # the advertiser the data names (a sponsor column, a draft's brand)
    jurisdiction: str | None = None  # the pack a draft asks to be checked with

    def __post_init__(self) -> None:
        # Values come from exports, front matter and callers: a wrong kind is refused here,
        # where it is named, not met deep in a check ("nej" would be a true flag).
        if self.paid_partnership is not None and not isinstance(self.paid_partnership, bool):
            raise ValueError(f"paid_partnership must be True or False, not "
                             f"{self.paid_partnership!r}")
        if self.audience is not None and self.audience not in AUDIENCES:
            raise ValueError(f"audience must be one of {', '.join(map(repr, AUDIENCES))} "
                             f"(or None), not {self.audience!r}")
        for name in ("brand", "jurisdiction"):
            value = getattr(self, name)
            if value is not None and not isinstance(value, str):
                raise ValueError(f"{name} must be text (str), not {type(value).__name__}")

    @classmethod
    def of(cls, values: Mapping[str, Any]) -> PostMeta:
        """From a mapping of field names; any other key is a ``ValueError`` (a typo would
        otherwise drop the evidence without a word)."""
        unknown = [key for key in values if key not in META_FIELDS]
        if unknown:
            raise ValueError(f"unknown post metadata {unknown[0]!r}; the fields are "
                             f"{', '.join(META_FIELDS)}")
        return cls(**values)

    def get(self, name: str) -> Any:
        """A field by its name (a pack's ``metadata:`` names them); None for any other name."""
        return getattr(self, name) if name in META_FIELDS else None

    def stated(self) -> dict[str, Any]:
        """The fields the data states (not None)."""
        return {name: getattr(self, name) for name in META_FIELDS if getattr(self, name) is not None}


META_FIELDS = ("paid_partnership", "audience", "brand", "jurisdiction")


@dataclass(slots=True)
class Post:
    """One post as read from an export, a draft or a library call."""

    text: str
    id: str | None = None
    creator: str | None = None
    platform: str | None = None
    created_at: str | None = None
    url: str | None = None
    meta: PostMeta = field(default_factory=PostMeta)
    source: str | None = None  # "file:line" the post was read from
    file: str | None = None  # the file (or zip member) it came from, for per-file totals
    # Where each part of a text made of several fields starts, e.g. a YouTube title and description:
    # ((name, offset), ...) in order. Empty when the text is one caption.
    parts: tuple[tuple[str, int], ...] = ()
    flags: dict[str, Any] = field(default_factory=dict)  # platform flags as the export gave them
    # Where the caption starts in its file (characters, lines before it): a draft's front matter.
    offset: tuple[int, int] = (0, 0)
    verbatim: bool = False  # the caption stands as it is in its file at ``offset`` (a draft)
    # Metadata keys the post's own file states (a draft's front matter: "brand",
    # "paid_partnership"), so that messages say where the evidence comes from.
    declared: tuple[str, ...] = ()
    # Suppressions the post's own file declares (a draft's ``skjult: {ignore, reason}``):
    # skjult.config.Suppression objects that apply to this post only.
    suppress: tuple[Any, ...] = ()

    def __post_init__(self) -> None:
        if not isinstance(self.meta, PostMeta):  # Post(..., meta={"paid_partnership": True})
            self.meta = PostMeta.of(self.meta)

    @property
    def audience(self) -> str | None:
        return self.meta.audience

    def part_at(self, start: int, end: int) -> dict[str, Any] | None:
        """Which part of a multi-field text a span lies in, with offsets relative to that part."""
        if not self.parts:
            return None
        name, offset = self.parts[0]
        for part, begin in self.parts:
            if begin <= start:
                name, offset = part, begin
        return {"part": name, "start": start - offset, "end": end - offset}


@dataclass(frozen=True, slots=True)
class Edit:
    """A change ``--fix`` makes to a caption as written: [start, end) becomes ``text``.

    An insertion (start = end) with ``unless_begins`` is not made when the caption, after the
    other edits, already begins with those words (any case): a label is never put first twice."""

    start: int
    end: int
    text: str
    unless_begins: str = ""


@dataclass(frozen=True, slots=True)
class Finding:
    rule: str
    category: str
    severity: Severity
    message: str
    start: int
    end: int
    line: int
    column: int
    text: str
    fix: str | None
    source: str
    # About the post as a whole, not about words in it (its evidence is metadata: a platform
    # flag, a campaign list, a draft's front matter): then start = end = 0 and text is "".
    whole_post: bool = False
    # Rules whose findings on the same words this one stands for ("one problem, one finding").
    supersedes: tuple[str, ...] = ()
    # What --fix does about it: edits of the caption, or None when it needs a person.
    edits: tuple[Edit, ...] | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "rule": self.rule,
            "category": self.category,
            "severity": str(self.severity),
            "message": self.message,
            "start": self.start,
            "end": self.end,
            "line": self.line,
            "column": self.column,
            "text": self.text,
            "fix": self.fix,
            "source": self.source,
        }
        if self.whole_post:  # keys added to report/1 only where they apply, like "in" and "file"
            out["whole_post"] = True
        if self.supersedes:
            out["supersedes"] = list(self.supersedes)
        return out


@dataclass(frozen=True, slots=True)
class Disclosure:
    """A label found in the caption: ``label`` (accepted) or ``weak`` (not enough)."""

    kind: str
    text: str
    start: int
    end: int
    termset: str

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "text": self.text, "start": self.start, "end": self.end,
                "termset": self.termset}


@dataclass(frozen=True, slots=True)
class Signal:
    """A piece of evidence that the post is commercial."""

    termset: str
    strength: Strength
    text: str
    start: int | None = None  # None for metadata
    end: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"signal": self.termset, "strength": self.strength.label, "text": self.text,
                "start": self.start, "end": self.end}


@dataclass(frozen=True, slots=True)
class Commercial:
    level: Strength
    signals: tuple[Signal, ...] = ()  # every cue found, strongest first
    self_declared: bool = False
    # The cues the level rests on: the strongest ones, or the independent weak cues that add up.
    basis: tuple[Signal, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {"level": self.level.label, "self_declared": self.self_declared,
                "signals": [s.to_dict() for s in self.signals],
                "basis": [s.to_dict() for s in self.basis]}


@dataclass(frozen=True, slots=True)
class PostResult:
    post: Post
    verdict: Verdict
    commercial: Commercial
    disclosures: tuple[Disclosure, ...]
    findings: tuple[Finding, ...]
    language: str
    notes: tuple[str, ...] = ()  # e.g. a rule pattern that timed out on this caption
    advertiser: str | None = None  # the brand named by metadata or the first @handle
    suppressed: tuple[Any, ...] = ()  # skjult.suppress.Suppressed: findings accepted on purpose
    lapsed: tuple[Any, ...] = ()  # expired suppressions that would have applied (not output)

    @property
    def is_commercial(self) -> bool:
        return self.verdict is not Verdict.NOT_COMMERCIAL

    def to_dict(self) -> dict[str, Any]:
        post = self.post
        return {
            "id": post.id,
            "creator": post.creator,
            "platform": post.platform,
            "created_at": post.created_at,
            "url": post.url,
            "source": post.source,
            "caption": post.text,
            "flags": post.flags,
            "language": self.language,
            "verdict": str(self.verdict),
            "commercial": self.commercial.to_dict(),
            "disclosures": [d.to_dict() for d in self.disclosures],
            "findings": [_with_part(f.to_dict(), post) for f in self.findings],
            "notes": list(self.notes),
            "suppressed": [s.to_dict() for s in self.suppressed],
        }


def _with_part(finding: dict[str, Any], post: Post) -> dict[str, Any]:
    # a finding about the whole post lies in no one part (a YouTube title or description)
    where = None if finding.get("whole_post") else post.part_at(finding["start"], finding["end"])
    if where is not None:
        finding["in"] = where
    if post.offset != (0, 0):  # a draft with front matter: where the words are in the file
        chars, lines = post.offset
        finding["file"] = {"start": finding["start"] + chars, "end": finding["end"] + chars,
                           "line": finding["line"] + lines, "column": finding["column"]}
    return finding
