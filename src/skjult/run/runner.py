"""One way to run a check over many posts: the command line, ``skjult.check_posts`` and
``Checker.iter_results`` all go through ``Runner``.

A runner judges posts (in this process, or in ``jobs`` worker processes), counts what
suppressions accepted, and routes what readers yield besides posts — records skipped, files
opened, notes, files that could not be read — into the run's ``Report`` and to whoever
listens (the command line's stderr)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from skjult.i18n import DEFAULT_LANG, Text, described
from skjult.items import NO_TEXT, Notice, Opened, Skip, Unreadable
from skjult.model import Post, PostResult
from skjult.report.summary import Report
from skjult.rules.ruleset import RuleSet
from skjult.run import parallel
from skjult.run.judging import Judge
from skjult.suppress import Ledger

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
        ledger = self.ledger
        for result in judged:
            if result.post.suppress:  # a draft's own suppressions, listed with the configuration's
                ledger.declare(result.post.suppress)
            if result.suppressed or result.lapsed:
                ledger.count(result.suppressed, result.lapsed)
            yield result

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
