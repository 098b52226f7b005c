"""``--jobs N``: check batches of posts in N worker processes, results in input order.

The main process keeps reading the input and writing the report; workers only check. At most
``2 × N`` batches are in flight, so memory stays bounded however large the input. Each worker
holds its own ``Judge``: inherited from the parent where processes fork (Linux), built from
the parent's rule set (which pickles) elsewhere.

A worker that dies (killed by the out-of-memory killer, ``kill -9``) must not leave the parent
waiting forever for its batch: ``ProcessPoolExecutor`` notices and fails the pending batches,
which ends the run with ``WorkerLost``. Ctrl-C reaches every process of the terminal's group;
workers ignore it, so the parent alone stops the run, stops the workers, and no worker prints
a traceback.
"""

from __future__ import annotations

import multiprocessing
import signal
import threading
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from itertools import islice
from typing import TYPE_CHECKING, Any

from skjult.i18n import Text

if TYPE_CHECKING:
    from multiprocessing.process import BaseProcess

    from skjult.model import Post, PostResult
    from skjult.rules.ruleset import RuleSet
    from skjult.run.judging import Judge

BATCH = 256
# The judge a worker uses. Set in the parent just before forking (children inherit it), or
# built by ``_start`` in a spawned worker; never used by the parent itself.
_worker: Judge | None = None


class WorkerLost(RuntimeError):
    """A worker process ended without returning its batch: the results are incomplete."""


def _start(ruleset: RuleSet, lang: str) -> None:
    global _worker
    # Ctrl-C is the parent's to handle (it stops the pool); a worker that took it would die
    # with a traceback in the middle of the user's terminal.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # A forked worker inherits the parent's SIGTERM handler (which only notes the signal); the
    # pool ends workers with SIGTERM, so a worker must die of it.
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    if _worker is None:
        from skjult.run.judging import Judge

        _worker = Judge(ruleset, lang)


def _check(batch: list[Post]) -> list[PostResult]:
    assert _worker is not None
    return list(_worker.results(batch))


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

    def wait(self, future: Future[list[PostResult]]) -> list[PostResult]:
        while True:
            self.check()
            try:
                return future.result(timeout=0.1)
            except TimeoutError:
                continue


def results(judge: Judge, posts: Iterable[Post], jobs: int) -> Iterator[PostResult]:
    """``judge.results(posts)``, worked out in ``jobs`` processes."""
    global _worker
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
    if context.get_start_method() == "fork":
        _worker = judge
    # The pool's workers, kept to tell how one was lost and to end them on Ctrl-C: the children
    # that appear once batches are submitted (any from before are not ours to touch).
    others = {w.pid for w in multiprocessing.active_children()}
    workers: dict[int | None, BaseProcess] = {}

    def seen() -> None:
        if len(workers) < jobs:  # workers start with the first batches; cheap once all are up
            workers.update((w.pid, w) for w in multiprocessing.active_children()
                           if w.pid not in others)

    pool = ProcessPoolExecutor(jobs, mp_context=context, initializer=_start,
                               initargs=(judge.ruleset, judge.lang))
    pending: deque[Future[list[PostResult]]] = deque()
    finished = lost = False
    interrupts = _Interrupts()
    try:
        with interrupts:
            source = iter(posts)
            while batch := list(islice(source, BATCH)):
                interrupts.check()
                pending.append(pool.submit(_check, batch))
                seen()
                while len(pending) >= 2 * jobs:
                    yield from interrupts.wait(pending.popleft())
            while pending:
                yield from interrupts.wait(pending.popleft())
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
        pool.shutdown(wait=True, cancel_futures=True)
    if lost:  # named once the pool has reaped its workers, when their exit codes are known
        raise _lost(workers.values())
