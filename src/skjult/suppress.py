"""Suppressions at work: which findings they silence in a run, and which were never needed.

They come from the configuration (``[[suppress]]``) and from drafts (``skjult: {ignore, reason}``
in the front matter, on ``Post.suppress``: for that post only); both are reported alike."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from skjult.config import Suppression, matches, post_key
from skjult.i18n import Text
from skjult.model import Finding, Post


@dataclass(frozen=True, slots=True)
class Suppressed:
    """A finding accepted on purpose, and the suppression that accepted it."""

    finding: Finding
    by: Suppression

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"rule": self.finding.rule, "start": self.finding.start,
                               "end": self.finding.end, "reason": self.by.reason,
                               "suppression": self.by.where()}
        if self.finding.whole_post:
            out["whole_post"] = True
        return out


class Ledger:
    """Applies a run's suppressions and counts their use. Expired ones no longer apply."""

    def __init__(self, suppressions: Iterable[Suppression], today: dt.date | None = None):
        self.today = today or dt.date.today()
        self.all = tuple(suppressions)
        self.active = tuple(s for s in self.all if not s.expired(self.today))
        self.used: dict[Suppression, int] = dict.fromkeys(self.all, 0)
        self.would_have: dict[Suppression, int] = dict.fromkeys(self.all, 0)  # expired, matched
        self.drafts: dict[Suppression, None] = {}  # drafts' own suppressions met in the run

    def declare(self, suppressions: Iterable[Suppression]) -> None:
        """A draft's own suppressions, met in the run: listed (and checked for use) with the
        configuration's."""
        for s in suppressions:
            if s not in self.drafts:
                self.drafts[s] = None
                self.used.setdefault(s, 0)
                self.would_have.setdefault(s, 0)

    def count(self, suppressed: Iterable[Suppressed], lapsed: Iterable[Suppression]) -> None:
        for entry in suppressed:
            self.used[entry.by] = self.used.get(entry.by, 0) + 1
        for s in lapsed:
            self.would_have[s] = self.would_have.get(s, 0) + 1

    def status(self) -> list[dict[str, Any]]:
        """Every suppression with how often it applied: ``used``, ``unused`` or ``expired``."""
        out = []
        for s in (*self.all, *self.drafts):
            state = "expired" if s.expired(self.today) else "used" if self.used[s] else "unused"
            out.append({"where": s.where(), "rule": s.rule, "creator": s.creator, "post": s.post,
                        "reason": s.reason, "expires": s.expires.isoformat() if s.expires else None,
                        "status": state,
                        "findings": self.would_have[s] if state == "expired" else self.used[s]})
        return out

    def problems(self) -> list[str]:
        """One line per suppression someone should look at: unused or expired."""
        lines: list[str] = []
        for row in self.status():
            where, rule = row["where"], row["rule"]
            if row["status"] == "unused":
                lines.append(Text("{where}: suppression of {rule} matched nothing in this run; "
                                  "remove it if it is no longer needed", where=where, rule=rule))
            elif row["status"] == "expired" and row["findings"]:
                lines.append(Text("{where}: suppression of {rule} expired on {date}; its "
                                  "{count:n|finding is|findings are} reported again", where=where,
                                  rule=rule, date=row["expires"], count=row["findings"]))
            elif row["status"] == "expired":
                lines.append(Text("{where}: suppression of {rule} expired on {date}; it would have "
                                  "matched nothing in this run", where=where, rule=rule,
                                  date=row["expires"]))
        return lines


def apply_suppressions(post: Post, findings: tuple[Finding, ...],
                       suppressions: tuple[Suppression, ...], today: dt.date
                       ) -> tuple[tuple[Finding, ...], tuple[Suppressed, ...], tuple[Suppression, ...]]:
    """The findings left, those suppressed, and expired suppressions that matched one.

    Counting is separate (``Ledger.count``): with ``--jobs`` the results are counted where they
    are collected, not in the process that judged them."""
    own = post.suppress  # a draft's front matter: for this post only
    if not suppressions and not own:
        return findings, (), ()
    keys = {post_key(v) for v in (post.id, post.url) if v}
    kept: list[Finding] = []
    silenced: list[Suppressed] = []
    lapsed: list[Suppression] = []
    for finding in findings:
        by = None
        for s in (*suppressions, *own):
            if not _covers(s, post, keys, finding):
                continue
            if s.expired(today):
                lapsed.append(s)
                continue
            by = s
            break
        if by is None:
            kept.append(finding)
        else:
            silenced.append(Suppressed(finding, by))
    return tuple(kept), tuple(silenced), tuple(lapsed)


def _covers(s: Suppression, post: Post, keys: set[str], finding: Finding) -> bool:
    if not matches(s.rule, finding.rule, finding.category):
        return False
    if s.creator is not None and s.creator != post.creator:
        return False
    return s.post is None or s.post in keys
