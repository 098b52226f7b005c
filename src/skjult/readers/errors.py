"""What goes wrong while reading: a whole file (``InputError``) or one record (``RecordError``)."""

from __future__ import annotations

from skjult.i18n import Text


class InputError(Exception):
    """A whole file cannot be read; the message names the file and what was expected."""

    def __init__(self, file: str, message: str):
        self.file = file
        self.message = message
        super().__init__(Text("{file}: {message}", file=file, message=message))


class RecordError(ValueError):
    """A record that cannot become a post; the message says why."""


class NoText(RecordError):
    """A record without a caption: counted as skipped for having nothing to check."""
