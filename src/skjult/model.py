"""Plain data that flows through skjult: posts in, results and summaries out."""

from __future__ import annotations

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
class Post:
    """One post as read from an export, a draft or a library call."""

    text: str
    id: str | None = None
    creator: str | None = None
    platform: str | None = None
    created_at: str | None = None
    url: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)
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

    @property
    def audience(self) -> str | None:
        value = self.meta.get("audience")
        return str(value) if value else None

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


BROKEN = "broken"  # a record we could not read: something is lost
NO_TEXT = "no-text"  # a record with no caption (a photo, a profile-picture change): nothing to check
REST_UNREAD = "rest-unread"  # the file breaks off here: whatever records follow are lost


@dataclass(frozen=True, slots=True)
class Skip:
    """A record that could not be checked, and why."""

    file: str
    position: str
    reason: str
    kind: str = BROKEN

    def __str__(self) -> str:
        return f"{self.file}:{self.position}: {self.reason}"


@dataclass(frozen=True, slots=True)
class Opened:
    """A reader started on a file, read as ``format``."""

    file: str
    format: str


@dataclass(frozen=True, slots=True)
class Notice:
    """Something a reader wants the user to know about a file (not a lost record)."""

    file: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}: {self.message}"


@dataclass(frozen=True, slots=True)
class Unreadable:
    """A whole file (or zip member) that could not be read; the run goes on without it."""

    file: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}: {self.message}"


@dataclass(slots=True)
class CreatorSummary:
    creator: str
    posts: int = 0
    commercial: int = 0
    compliant: int = 0
    warnings: int = 0
    violations: int = 0
    categories: dict[str, int] = field(default_factory=dict)
    first_post: str | None = None  # earliest and latest created_at (ISO 8601 sorts as text)
    last_post: str | None = None
    suppressed: int = 0  # findings on this creator's posts accepted by a suppression

    def add(self, result: PostResult) -> None:
        self.posts += 1
        self.suppressed += len(result.suppressed)
        when = result.post.created_at
        if when:
            if self.first_post is None or when < self.first_post:
                self.first_post = when
            if self.last_post is None or when > self.last_post:
                self.last_post = when
        if not result.is_commercial:
            return
        verdict = result.verdict
        self.commercial += 1
        if verdict is Verdict.COMPLIANT:
            self.compliant += 1
        elif verdict is Verdict.WARNING:
            self.warnings += 1
        else:
            self.violations += 1
        for category in {f.category for f in result.findings}:
            self.categories[category] = self.categories.get(category, 0) + 1

    @property
    def compliance_rate(self) -> float | None:
        """Share of commercial posts that are compliant; ``None`` when none is commercial."""
        return self.compliant / self.commercial if self.commercial else None

    def to_dict(self) -> dict[str, Any]:
        rate = self.compliance_rate
        return {
            "creator": self.creator,
            "posts": self.posts,
            "commercial": self.commercial,
            "compliant": self.compliant,
            "warnings": self.warnings,
            "violations": self.violations,
            "compliance_rate": None if rate is None else round(rate, 4),
            "categories": dict(sorted(self.categories.items())),
            "first_post": self.first_post,
            "last_post": self.last_post,
            "suppressed": self.suppressed,
        }


@dataclass(slots=True)
class FileTotals:
    read: int = 0
    checked: int = 0
    skipped: int = 0
    no_text: int = 0  # of the skipped: records without a caption
    format: str | None = None
    error: str | None = None  # the file as a whole could not be read

    def to_dict(self) -> dict[str, Any]:
        return {"format": self.format, "read": self.read, "checked": self.checked,
                "skipped": self.skipped, "no_text": self.no_text, "error": self.error}
