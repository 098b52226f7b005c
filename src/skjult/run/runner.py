"""One way to run a check over many posts: the command line, ``skjult.check_posts`` and
``Checker.iter_results`` all go through ``Runner``.

A runner judges posts (in this process, or in ``jobs`` worker processes) and hands back their
results, or, for an output format that needs no more, each post's finished text and ``Digest``
(``rendered``); it counts what suppressions accepted, and routes what readers yield besides
posts — records skipped, files opened, notes, files that could not be read — into the run's
``Report`` and to whoever listens (the command line's stderr)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from skjult.i18n import DEFAULT_LANG, Text, described
from skjult.items import NO_TEXT, Notice, Opened, Skip, Unreadable
from skjult.model import Post, PostResult
from skjult.report.summary import Digest, Report
from skjult.rules.ruleset import RuleSet
from skjult.run import parallel
from skjult.run.judging import Judge
from skjult.suppress import Ledger

if TYPE_CHECKING:
    from skjult.config import Suppression
    from skjult.report.base import Blueprint
    from skjult.suppress import Suppressed

# What readers yield: the posts to check, and what the run must account for besides them.
ReaderItem = Post | Skip | Opened | Notice | Unreadable


def _ignore(message: str) -> None:
    return None


@dataclass
class Listener:
    """What the caller of a run wants to hear as items pass (all optional)."""

    post: Callable[[Post], None] = lambda post: None  # a post about to be checked
    file: Callable[[Opened], None] = lambda opened: None  # a reader started on a file
    note: Callable[[str], None] = _ignore  # a skipped record, a reader's note: may be quieted
    problem: Callable[[str], None] = _ignore  # a file that could not be read: always said


class Runner:
    """Checks posts against a rule set, with findings in ``lang``. Keep one per run: its
    ``ledger`` counts the use of the run's suppressions."""

    def __init__(self, ruleset: RuleSet, lang: str = DEFAULT_LANG, *, judge: Judge | None = None):
        self.ruleset = ruleset
        self.lang = lang
        self.judge = judge or Judge(ruleset, lang)
        self.ledger = Ledger(ruleset.suppressions, ruleset.today)

    def results(self, posts: Iterable[Post], jobs: int = 1) -> Iterator[PostResult]:
        """Each post's result, in order; ``jobs`` > 1 judges batches in that many worker
        processes (same results, same order)."""
        judged = self.judge.results(posts) if jobs <= 1 else \
            parallel.results(self.judge, posts, jobs)
        for result in judged:
            if result.post.suppress or result.suppressed or result.lapsed:
                self._count(result.post.suppress, result.suppressed, result.lapsed)
            yield result

    def rendered(self, posts: Iterable[Post], blueprint: Blueprint, jobs: int = 1
                 ) -> Iterator[tuple[Digest, str]]:
        """Each post's ``Digest`` and its output text (``Formatter.text`` of the formatter
        ``blueprint`` builds; formats with ``per_post_text`` only), in order, counted in the
        ledger as ``results`` counts them. With ``jobs`` > 1 the workers render the text, so
        this process neither receives nor formats the results."""
        if jobs <= 1:
            text = blueprint.build().text
            made: Iterable[tuple[Digest, str]] = (
                (Digest.of(result), text(result)) for result in self.judge.results(posts))
        else:
            made = parallel.rendered(self.judge, posts, jobs, blueprint)
        for digest, rendering in made:
            if digest.suppress or digest.suppressed or digest.lapsed:
                self._count(digest.suppress, digest.suppressed, digest.lapsed)
            yield digest, rendering

    def _count(self, own: tuple[Suppression, ...], suppressed: tuple[Suppressed, ...],
               lapsed: tuple[Suppression, ...]) -> None:
        """What one post's suppressions did, in the ledger (the same for results and digests).
        ``own``: a draft's own suppressions, listed with the configuration's."""
        if own:
            self.ledger.declare(own)
        if suppressed or lapsed:
            self.ledger.count(suppressed, lapsed)

    def check(self, post: Post) -> PostResult:
        """One post's result (counted like the others of the run)."""
        return next(self.results([post]))


def posts_of(items: Iterable[ReaderItem], report: Report,
             listener: Listener | None = None) -> Iterator[Post]:
    """The posts among a reader's items; everything else goes into ``report`` (so that read =
    checked + skipped holds) and to ``listener``."""
    hear = listener or Listener()
    for item in items:
        if isinstance(item, Post):
            hear.post(item)
            yield item
        elif isinstance(item, Skip):
            report.skip(item)
            if item.kind != NO_TEXT:
                hear.note(Text("skipped {item}", item=described(item)))
        elif isinstance(item, Opened):
            report.file(item.file).format = item.format
            hear.file(item)
        elif isinstance(item, Notice):
            report.notice(item)
            hear.note(described(item))
        else:
            report.file(item.file).error = item.message
            hear.problem(described(item))
