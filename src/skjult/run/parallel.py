"""``--jobs N``: check batches of posts in N worker processes, results in input order.

The main process keeps reading the input and writing the report; workers only check. At most
``2 × N`` batches are in flight, so memory stays bounded however large the input. Each worker
holds its own ``Judge``: inherited from the parent where processes fork (Linux), built from
the parent's rule set (which pickles) elsewhere.

Workers send back either whole results (``results``) or, for output formats whose text for a
post depends on that post alone, the finished text and a ``Digest`` per post (``rendered``):
unpickling a result cost the main process more than formatting it, and the main process, which
also reads the input, is the one part of a run that more workers do not speed up.

A worker that dies (killed by the out-of-memory killer, ``kill -9``) must not leave the parent
waiting forever for its batch: ``ProcessPoolExecutor`` notices and fails the pending batches,
which ends the run with ``WorkerLost``. Ctrl-C reaches every process of the terminal's group;
workers ignore it, so the parent alone stops the run, stops the workers, and no worker prints
a traceback.

Stopping early (Ctrl-C, a lost worker, a reader that stopped reading: ``skjult check … | head``)
ends the workers at once, wherever they are, and that may be in the middle of sending a batch
back. The pool's manager thread then waits for the rest of that message, which can never come
while this process itself still holds the pipe's writing end (``_release``).
"""

from __future__ import annotations

import contextlib
import dataclasses
import multiprocessing
import operator
import signal
import threading
from collections import deque
from collections.abc import Callable, Generator, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from itertools import islice
from typing import TYPE_CHECKING, Any, TypeVar

from skjult.i18n import Text
from skjult.model import Post, PostMeta
from skjult.report.summary import Digest

if TYPE_CHECKING:
    from multiprocessing.process import BaseProcess

    from skjult.model import PostResult
    from skjult.report.base import Blueprint, Formatter
    from skjult.rules.ruleset import RuleSet
    from skjult.run.judging import Judge

BATCH = 256
# The judge a worker uses. Set in the parent just before forking (children inherit it), or
# built by ``_start`` in a spawned worker; never used by the parent itself.
_worker: Judge | None = None
# The formatter that renders a post's text in a worker (``rendered``); built by ``_start``.
_formatter: Formatter | None = None

Out = TypeVar("Out")

# Posts travel to the workers as tuples of their fields. A dataclass with slots pickles its
# state through ``dataclasses.fields()`` on every object and sets it back field by field: that
# cost the main process about 10 µs a post and each worker 15, three times what the tuples cost.
# A post's ``meta`` is set back as unpickling sets it (its checks do not run again).
_NAMES = tuple(f.name for f in dataclasses.fields(Post))
_META_AT = _NAMES.index("meta")
_META_NAMES = tuple(f.name for f in dataclasses.fields(PostMeta))
_post_fields = operator.attrgetter(*(name for name in _NAMES if name != "meta"))
_meta_fields = operator.attrgetter(*_META_NAMES)
Packed = tuple[tuple[Any, ...], tuple[Any, ...]]


class WorkerLost(RuntimeError):
    """A worker process ended without returning its batch: the results are incomplete."""


def _start(ruleset: RuleSet, lang: str, blueprint: Blueprint | None = None) -> None:
    global _worker, _formatter
    # Ctrl-C is the parent's to handle (it stops the pool); a worker that took it would die
    # with a traceback in the middle of the user's terminal.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # A forked worker inherits the parent's SIGTERM handler (which only notes the signal); the
    # pool ends workers with SIGTERM, so a worker must die of it.
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    if _worker is None:
        from skjult.run.judging import Judge

        _worker = Judge(ruleset, lang)
    _formatter = blueprint.build() if blueprint is not None else None


def _pack(batch: list[Post]) -> list[Packed | Post]:
    """The batch as it is sent to a worker (see ``_post_fields``). A subclass of ``Post``, or a
    post whose ``meta`` a caller replaced by a dict, goes as it is."""
    return [(_post_fields(post), _meta_fields(post.meta))
            if type(post) is Post and type(post.meta) is PostMeta else post for post in batch]


def _unpack(packed: list[Packed | Post]) -> list[Post]:
    posts: list[Post] = []
    for item in packed:
        if isinstance(item, tuple):
            fields, meta_fields = item
            meta = PostMeta.__new__(PostMeta)
            for name, value in zip(_META_NAMES, meta_fields, strict=True):
                setattr(meta, name, value)
            values = list(fields)
            values.insert(_META_AT, meta)
            posts.append(Post(*values))  # with a PostMeta, __post_init__ changes nothing
        else:
            posts.append(item)
    return posts


def _check(batch: list[Packed | Post]) -> list[PostResult]:
    assert _worker is not None
    return list(_worker.results(_unpack(batch)))


def _render(batch: list[Packed | Post]) -> list[tuple[Digest, str]]:
    """Each post's digest and output text: a few small tuples and strings to pickle, where the
    results would be nested dataclasses (findings, evidence, the post) costing ten times more."""
    assert _worker is not None and _formatter is not None
    text = _formatter.text
    return [(Digest.of(result), text(result)) for result in _worker.results(_unpack(batch))]


def _lost(workers: Iterable[BaseProcess]) -> WorkerLost:
    """Name the signal that ended a worker, when the exit codes tell (the pool terminates the
    others with SIGTERM once one is lost, so another signal is the likelier cause)."""
    for worker in workers:  # a worker just killed may not be reaped yet: give it a moment
        if worker.exitcode is None and not worker.is_alive():
            worker.join(timeout=1)
    codes = [w.exitcode for w in workers if w.exitcode]
    codes.sort(key=lambda code: code == -signal.SIGTERM)
    if codes and codes[0] < 0:
        number = -codes[0]
        try:
            name = signal.Signals(number).name
        except ValueError:
            return WorkerLost(Text("a worker process was lost (killed by signal {number}); results "
                                   "are incomplete", number=number))
        return WorkerLost(Text("a worker process was lost (killed by signal {number}, {name}); "
                               "results are incomplete", number=number, name=name))
    if codes:
        return WorkerLost(Text("a worker process was lost (exit status {code}); results are "
                               "incomplete", code=codes[0]))
    return WorkerLost(Text("a worker process was lost; results are incomplete"))


class _Interrupts:
    """Ctrl-C (or SIGTERM) noted while the pool runs, and raised only between its operations.

    A ``KeyboardInterrupt`` raised at any bytecode can land inside the pool's own machinery —
    half a message written to the pipe that wakes its manager thread — and then stopping the
    pool waits for ever. So the signal only sets a flag; the flag is looked at between batches
    and while waiting for one (every 0.1 s). Only the main thread can set a handler; elsewhere
    Ctrl-C behaves as usual."""

    SIGNALS = (signal.SIGINT, signal.SIGTERM)

    def __init__(self) -> None:
        self.pressed = False
        self._previous: dict[int, Any] = {}

    def __enter__(self) -> _Interrupts:
        if threading.current_thread() is threading.main_thread():
            self._previous = {n: signal.signal(n, self._note) for n in self.SIGNALS}
        return self

    def __exit__(self, *exc: object) -> None:
        for number, handler in self._previous.items():
            signal.signal(number, handler)
        self._previous = {}

    def _note(self, signum: int, frame: Any) -> None:
        self.pressed = True

    def check(self) -> None:
        if self.pressed:
            raise KeyboardInterrupt

    def wait(self, future: Future[list[Out]], workers: Callable[[], Iterable[BaseProcess]]
             ) -> list[Out]:
        """The batch's outcome. A worker found dead while waiting is lost, even before the
        pool says so: killed while it sent a batch back, it leaves the pool's manager thread
        waiting for the rest of the message, and the pool would never tell."""
        while True:
            self.check()
            try:
                return future.result(timeout=0.1)
            except TimeoutError:
                if any(not worker.is_alive() for worker in workers()):
                    raise BrokenProcessPool("a worker process ended") from None


def results(judge: Judge, posts: Iterable[Post], jobs: int) -> Iterator[PostResult]:
    """``judge.results(posts)``, worked out in ``jobs`` processes."""
    with contextlib.closing(_batches(judge, posts, jobs, _check)) as batches:
        for batch in batches:
            yield from batch


def rendered(judge: Judge, posts: Iterable[Post], jobs: int, blueprint: Blueprint
             ) -> Iterator[tuple[Digest, str]]:
    """Each post's ``Digest`` and its text as the formatter of ``blueprint`` renders it
    (``Formatter.text``), in input order, worked out in ``jobs`` processes."""
    with contextlib.closing(_batches(judge, posts, jobs, _render, blueprint)) as batches:
        for batch in batches:
            yield from batch


def _batches(judge: Judge, posts: Iterable[Post], jobs: int,
             task: Callable[[list[Packed | Post]], list[Out]],
             blueprint: Blueprint | None = None) -> Generator[list[Out], None, None]:
    """``task`` of each batch of ``posts``, in order, worked out in ``jobs`` processes."""
    global _worker
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
    if context.get_start_method() == "fork":
        _worker = judge
    # The pool's workers, kept to tell how one was lost and to end them on Ctrl-C: the children
    # that appear once batches are submitted (any from before are not ours to touch).
    others = {w.pid for w in multiprocessing.active_children()}
    workers: dict[int | None, BaseProcess] = {}

    def seen() -> Iterable[BaseProcess]:
        if len(workers) < jobs:  # workers start with the first batches; cheap once all are up
            workers.update((w.pid, w) for w in multiprocessing.active_children()
                           if w.pid not in others)
        return workers.values()

    pool = ProcessPoolExecutor(jobs, mp_context=context, initializer=_start,
                               initargs=(judge.ruleset, judge.lang, blueprint))
    pending: deque[Future[list[Out]]] = deque()
    finished = lost = False
    interrupts = _Interrupts()
    try:
        with interrupts:
            source = iter(posts)
            while batch := list(islice(source, BATCH)):
                interrupts.check()
                pending.append(pool.submit(task, _pack(batch)))
                seen()
                while len(pending) >= 2 * jobs:
                    yield interrupts.wait(pending.popleft(), seen)
            while pending:
                yield interrupts.wait(pending.popleft(), seen)
        finished = True
    except BrokenProcessPool:
        seen()
        lost = True
    finally:
        _worker = None
        if not finished:
            # Interrupted (Ctrl-C), lost a worker, or the consumer stopped reading: do not wait
            # for batches nobody will read; end the workers now.
            seen()
            for future in pending:
                future.cancel()
            for worker in workers.values():
                if worker.is_alive():
                    worker.terminate()
            for worker in workers.values():
                # a worker forked before it set its own handlers only notes SIGTERM (inherited
                # from this process): waiting for it would hang; it is killed instead
                worker.join(timeout=2)
                if worker.is_alive():
                    worker.kill()
                    worker.join(timeout=2)
            _release(pool)
        pool.shutdown(wait=True, cancel_futures=True)
    if lost:  # named once the pool has reaped its workers, when their exit codes are known
        raise _lost(workers.values())


def _release(pool: ProcessPoolExecutor) -> None:
    """Lets the pool's manager thread end once every worker is dead, so that ``shutdown``
    (and the interpreter's exit, which joins that thread too) cannot wait for ever.

    A worker ended while it was sending a batch back leaves half a message in the result pipe.
    The manager thread, reading it, waits for the rest; the rest never comes, and neither does
    the end of the file, because this process holds the pipe's writing end as well (the pool
    made the pipe here; only workers write to it). Closing that end once no worker is left
    makes the read fail with ``EOFError``, which the pool takes for a broken pool and cleans
    up after. The attributes are the standard library's own (the same in CPython 3.11 to
    3.13); were they missing, nothing would be closed and a stop could hang as before."""
    queue = getattr(pool, "_result_queue", None)
    writer = getattr(queue, "_writer", None)
    if writer is not None:
        with contextlib.suppress(OSError):
            writer.close()
