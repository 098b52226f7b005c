"""``--fix``: rewrite a caption draft so that it complies, where the fix is mechanical.

What a rule's finding allows is data (``autofix:`` in the rule, the label text in the pack's
``autofix:``): ``prepend-label`` puts the accepted label at the very start (``Reklame for @brand |``
when the advertiser is known); ``replace-with-label`` does the same and takes out the matched
words when they are a hashtag (a buried ``#reklame``, a weak ``#samarbejde``). Everything else —
a missing safety line on a gambling post, say — needs a person, and is reported as such."""

from __future__ import annotations

import codecs
import difflib
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from skjult.destination import DestinationError, write_atomically
from skjult.engine import Checker
from skjult.i18n import Text, joined
from skjult.model import Finding, PostResult
from skjult.rules.rule import Rule


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


def _remove(caption: str, spans: list[tuple[int, int]]) -> str:
    """Take out hashtags, with the space before them, and the blank ends they leave."""
    for start, end in sorted(set(spans), reverse=True):
        if start > 0 and caption[start - 1] in " \t":
            start -= 1
        caption = caption[:start] + caption[end:]
    return "\n".join(line.rstrip(" \t") for line in caption.split("\n")).rstrip()


def _autofix(rule: Rule | None, finding: Finding) -> str | None:
    """What ``--fix`` may do for a finding: its rule's ``autofix``, or, for a finding that stands
    for a superseded one on the same words, the ``supersedes.autofix`` when the rule gives one."""
    if rule is None:
        return None
    if finding.supersedes and rule.supersedes is not None and rule.supersedes.autofix:
        return rule.supersedes.autofix
    return rule.autofix


def fix_draft(text: str, result: PostResult, rules: Mapping[str, Rule],
              templates: Mapping[str, str]) -> FixResult:
    """The draft file ``text`` rewritten for ``result``'s findings (same text if none applies)."""
    post = result.post
    start = post.offset[0]
    caption = text[start:start + len(post.text)]
    assert caption == post.text, "the draft changed on disk since it was checked"
    fixed: list[str] = []
    left: list[tuple[str, str]] = []
    removals: list[tuple[int, int]] = []
    for finding in result.findings:
        how = _autofix(rules.get(finding.rule), finding)
        if how is None:
            left.append((finding.rule, finding.fix or finding.message))
            continue
        fixed.append(finding.rule)
        if how == "replace-with-label" and finding.text.startswith("#"):
            removals.append((finding.start, finding.end))
    if not fixed or "label" not in templates:
        return FixResult(text, text, (), tuple(left))
    new_caption = _remove(caption, removals) if removals else caption
    brand = result.advertiser
    label = templates.get("label_for", "{brand}").format(brand=brand) if brand \
        else templates["label"]
    if not new_caption.lower().startswith(label.lower()):
        new_caption = label + templates.get("separator", " | ") + new_caption.lstrip()
    after = text[:start] + new_caption + text[start + len(caption):]
    return FixResult(text, after, tuple(dict.fromkeys(fixed)), tuple(left))


class DraftFixer:
    """Applies ``fix_draft`` to the drafts of a run as their results come; answers with the
    result to report (re-checked after a rewrite) and a message for the user.

    A draft is rewritten in one step (written aside, then renamed over it) in the encoding it
    had, byte-order mark included, keeping its permissions. A draft that cannot be rewritten
    safely (read-only, a symbolic link, another hard link to it, not valid text, a label its
    encoding cannot hold) is left as it is and counted in ``failed``; the run goes on."""

    def __init__(self, checker: Checker, *, write: bool):
        self.checker = checker
        self.write = write
        self.rules = {rule.id: rule for rule in checker.rules}
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
        outcome = fix_draft(text, result, self.rules, self.checker.pack.autofix)
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
        fixed.meta = {**post.meta, **fixed.meta}
        message = Text("fixed {file} ({rules})", file=post.file, rules=", ".join(outcome.fixed))
        return self.checker.check(fixed), joined([message, *notes])


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
