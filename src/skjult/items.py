"""What readers hand the run besides posts: records skipped (and why), files opened, notes
about a file, files that could not be read. The run counts each (read = checked + skipped) and
says them on stderr; see ``skjult.run.runner.posts_of``."""

from __future__ import annotations

from dataclasses import dataclass

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
