"""``--fix``: rewrite a caption draft so that it complies, where the fix is mechanical.

The engine decides what a finding allows (``Finding.edits``, from the rule's ``autofix:`` and
the pack's label text); this module only applies those edits to the draft file and writes it
back safely. A finding without edits — a missing safety line on a gambling post, say — needs a
person, and is reported as such."""

from __future__ import annotations

import codecs
import difflib
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from skjult.destination import DestinationError, write_atomically
from skjult.i18n import Text, joined
from skjult.model import Edit, Post, PostMeta, PostResult


@dataclass(frozen=True)
class FixResult:
    before: str  # the whole file
    after: str
    fixed: tuple[str, ...]  # rule ids whose findings the rewrite answers
    left: tuple[tuple[str, str], ...]  # (rule id, why it was not fixed)

    @property
    def changed(self) -> bool:
        return self.before != self.after

    def diff(self, name: str) -> str:
        return "".join(difflib.unified_diff(self.before.splitlines(keepends=True),
                                            self.after.splitlines(keepends=True),
                                            f"a/{name}", f"b/{name}"))


def apply_edits(text: str, edits: Iterable[Edit]) -> str:
    """``text`` with the edits made.

    The same edit counts once. Removals that overlap or touch (two tags side by side, each
    taking the blank between them) become one, and a line they leave blank goes with its line
    break. Other edits are made from the end backwards so that offsets hold; of two that
    overlap, the later one is kept. An insertion at the start with ``unless_begins`` is left
    out when the text already begins with those words (any case)."""
    unique = list(dict.fromkeys(e for e in edits if 0 <= e.start <= e.end <= len(text)))
    first = [e for e in unique if e.unless_begins and e.start == e.end == 0]
    changes = _merged_removals(text, [e for e in unique if e not in first])
    taken = len(text) + 1  # start of the last change made, going backwards
    for edit in sorted(changes, key=lambda e: (e.start, e.end), reverse=True):
        if edit.end > taken:
            continue
        text = text[:edit.start] + edit.text + text[edit.end:]
        taken = edit.start
    for edit in first:
        if not _begins_with(text.lstrip(), edit.unless_begins):
            text = edit.text + text.lstrip()
    return text


def _merged_removals(text: str, edits: list[Edit]) -> list[Edit]:
    removals = sorted((e for e in edits if not e.text), key=lambda e: (e.start, e.end))
    merged: list[list[int]] = []
    for edit in removals:
        if merged and edit.start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], edit.end)
        else:
            merged.append([edit.start, edit.end])
    out = [e for e in edits if e.text]
    for start, end in merged:
        line_start = text.rfind("\n", 0, start) + 1
        line_end = text.find("\n", end)
        if line_end >= 0 and not (text[line_start:start] + text[end:line_end]).strip():
            start, end = line_start, line_end + 1  # the line is left blank: it goes
        elif not text[line_start:start].strip():  # a line now starts here: without a blank
            while end < len(text) and text[end] in " \t":
                end += 1
        out.append(Edit(start, end, ""))
    return out


def _begins_with(text: str, words: str) -> bool:
    """Whether ``text`` opens with ``words`` as words (any case): "Reklame | ..." does,
    "Reklamelinks ..." and "Adventure ..." do not open with "Reklame" or "Ad"."""
    if not text.lower().startswith(words.lower()):
        return False
    rest = text[len(words):]
    return not rest or not (rest[0].isalnum() or rest[0] == "_")


def fix_draft(text: str, result: PostResult) -> FixResult:
    """The draft file ``text`` rewritten with the edits of ``result``'s findings (the same text
    if none has any)."""
    post = result.post
    start = post.offset[0]
    caption = text[start:start + len(post.text)]
    assert caption == post.text, "the draft changed on disk since it was checked"
    fixed: list[str] = []
    left: list[tuple[str, str]] = []
    edits: list[Edit] = []
    for finding in result.findings:
        if finding.edits is None:
            left.append((finding.rule, finding.fix or finding.message))
            continue
        fixed.append(finding.rule)
        edits.extend(finding.edits)
    if not fixed:
        return FixResult(text, text, (), tuple(left))
    after = text[:start] + apply_edits(caption, edits) + text[start + len(caption):]
    return FixResult(text, after, tuple(dict.fromkeys(fixed)), tuple(left))


class DraftFixer:
    """Applies ``fix_draft`` to the drafts of a run as their results come; answers with the
    result to report (re-checked after a rewrite) and a message for the user.

    A draft is rewritten in one step (written aside, then renamed over it) in the encoding it
    had, byte-order mark included, keeping its permissions. A draft that cannot be rewritten
    safely (read-only, a symbolic link, another hard link to it, not valid text, a label its
    encoding cannot hold) is left as it is and counted in ``failed``; the run goes on."""

    def __init__(self, recheck: Callable[[Post], PostResult], *, write: bool):
        self.recheck = recheck  # judges a rewritten draft again
        self.write = write
        self.exports = 0  # posts with findings that are not drafts
        self.failed = 0  # drafts that needed a fix and could not be rewritten

    def handle(self, result: PostResult) -> tuple[PostResult, str | None]:
        post = result.post
        if not result.findings:
            return result, None
        if not post.verbatim or post.file is None or not Path(post.file).is_file():
            self.exports += 1
            return result, None
        path = Path(post.file)
        try:
            draft = read_draft_file(path)
        except DraftError as exc:
            self.failed += 1
            return result, Text("{file}: not fixed: {problem}", file=post.file, problem=str(exc))
        text = draft.text
        if text[post.offset[0]:post.offset[0] + len(post.text)] != post.text:
            return result, Text("{file}: changed while being checked; not fixed", file=post.file)
        outcome = fix_draft(text, result)
        notes = [Text("{file}: cannot fix {rule} automatically: {why}", file=post.file, rule=rule,
                      why=why) for rule, why in outcome.left]
        if not outcome.changed:
            return result, joined(notes) or None
        if not self.write:
            return result, joined([outcome.diff(post.file).rstrip("\n"), *notes])
        try:
            draft.replace(outcome.after)
        except DraftError as exc:
            self.failed += 1
            return result, joined([Text("{file}: not fixed: {problem}", file=post.file,
                                        problem=str(exc)), *notes])
        from skjult.readers.drafts import draft_post  # the fixed draft, read as it now is

        fixed = draft_post(outcome.after, post.file)
        fixed.file, fixed.source = post.file, post.source
        if post.creator and not fixed.creator:
            fixed.creator = post.creator
        fixed.platform = fixed.platform or post.platform
        fixed.meta = PostMeta(**{**post.meta.stated(), **fixed.meta.stated()})
        message = Text("fixed {file} ({rules})", file=post.file, rules=", ".join(outcome.fixed))
        return self.recheck(fixed), joined([message, *notes])


class DraftError(Exception):
    """Why a draft cannot be rewritten."""


@dataclass(frozen=True)
class DraftFile:
    path: Path
    text: str  # as the reader saw it: byte-order mark removed, line ends as written
    encoding: str
    bom: bytes

    def replace(self, text: str) -> None:
        try:
            data = self.bom + text.encode(self.encoding)
        except UnicodeEncodeError as exc:
            raise DraftError(Text("the fix needs {chars:q}, which {encoding} cannot hold; save "
                                  "the draft as UTF-8", chars=exc.object[exc.start:exc.end],
                                  encoding=self.encoding)) from None
        try:
            write_atomically(self.path, data)
        except DestinationError as exc:
            raise DraftError(exc.problem) from None


def read_draft_file(path: Path) -> DraftFile:
    """A draft as the reader decoded it, with what is needed to write it back the same way."""
    if path.is_symlink():
        raise DraftError(Text("it is a symbolic link; fix the file it points to"))
    try:
        info = path.stat()
        if info.st_nlink > 1:
            raise DraftError(Text("other hard links share it; a rewrite would part them"))
        # the permission bits too: a file marked read-only stays so, even for root
        if not os.access(path, os.W_OK) or not info.st_mode & 0o222:
            raise DraftError(Text("it is read-only"))
        data = path.read_bytes()
    except OSError as exc:
        raise DraftError(Text("cannot be read: {error}", error=exc.strerror or str(exc))) from None
    for bom, encoding in ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"),
                          (codecs.BOM_UTF16_BE, "utf-16-be"), (b"", "utf-8"), (b"", "cp1252")):
        if data.startswith(bom):
            try:
                return DraftFile(path, data[len(bom):].decode(encoding), encoding, bom)
            except UnicodeDecodeError:
                if bom:
                    break
    raise DraftError(Text("it is not valid text in its encoding"))
