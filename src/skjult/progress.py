"""A one-line progress display on stderr for long runs: files, posts, posts per second."""

from __future__ import annotations

import time
from typing import IO

from skjult.i18n import DEFAULT_LANG, Text, localize

INTERVAL = 0.25  # seconds between redraws
DELAY = 1.0  # runs shorter than this never show it


class Progress:
    def __init__(self, stream: IO[str], enabled: bool, *, delay: float = DELAY,
                 interval: float = INTERVAL, lang: str = DEFAULT_LANG):
        self._stream = stream
        self._lang = lang
        self.enabled = enabled
        self._delay = delay
        self._interval = interval
        self._start = time.monotonic()
        self._last = 0.0
        self._shown = False
        self.files = 0
        self.posts = 0

    def file(self) -> None:
        self.files += 1

    def post(self) -> None:
        self.posts += 1
        if self.enabled and not self.posts % 64:
            now = time.monotonic()
            if now - self._start >= self._delay and now - self._last >= self._interval:
                self._last = now
                self._draw(now)

    def _draw(self, now: float) -> None:
        rate = self.posts / max(now - self._start, 1e-9)
        line = Text("{files:n|file|files} · {posts:n|post|posts} · {rate:n} posts/s",
                    files=self.files, posts=self.posts, rate=round(rate))
        self._stream.write(f"\r\x1b[Kskjult: {localize(line, self._lang)}")
        self._stream.flush()
        self._shown = True

    def clear(self) -> None:
        """Before anything else is written to the terminal."""
        if self._shown:
            self._stream.write("\r\x1b[K")
            self._stream.flush()
            self._shown = False

    def done(self) -> None:
        self.clear()
