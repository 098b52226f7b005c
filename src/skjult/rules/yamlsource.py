"""YAML loading that remembers on which line every value stood, for error messages.

Rule files may not use anchors (``&name``) or aliases (``*name``): they are refused while the
document is composed, before anything is expanded, so "billion laughs" (aliases of aliases of
lists, gigabytes from a few lines) cannot happen. Rule files have no use for them.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from skjult.errors import RuleError


@dataclass(frozen=True, slots=True)
class Located:
    """A loaded YAML document plus the line (1-based) of each mapping key, by key path."""

    file: str
    data: Any
    lines: dict[tuple[Any, ...], int]

    def line(self, *path: Any) -> int | None:
        """The line of the deepest known prefix of ``path``."""
        for cut in range(len(path), -1, -1):
            found = self.lines.get(tuple(path[:cut]))
            if found is not None:
                return found
        return None


def _record_lines(node: Any, path: tuple[Any, ...], lines: dict[tuple[Any, ...], int]) -> None:
    """The line of every mapping key and sequence item below ``node``, by key path."""
    import yaml

    lines.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = key_node.value  # rule files use plain scalar keys
            lines[(*path, key)] = key_node.start_mark.line + 1
            _record_lines(value_node, (*path, key), lines)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _record_lines(item, (*path, i), lines)


class _Refused(Exception):
    """An anchor or alias in a rule file, with the line it stands on."""

    def __init__(self, line: int, message: str):
        super().__init__(message)
        self.line = line
        self.message = message


@functools.cache
def _loader() -> Any:
    """``yaml.SafeLoader`` that refuses anchors and aliases as it composes the document."""
    import yaml

    class RuleLoader(yaml.SafeLoader):
        def compose_node(self, parent: Any, index: Any) -> Any:
            event: Any = self.peek_event()  # type: ignore[no-untyped-call]
            line = event.start_mark.line + 1 if event.start_mark is not None else 0
            if isinstance(event, yaml.AliasEvent):
                raise _Refused(line, f"aliases (*{event.anchor}) are not allowed in rule files; "
                               "write the value out")
            anchor = getattr(event, "anchor", None)
            if anchor is not None:
                raise _Refused(line, f"anchors (&{anchor}) are not allowed in rule files; write "
                               "the value out where it is used")
            return super().compose_node(parent, index)

    return RuleLoader


def load(path: Path) -> Located:
    import yaml  # only when a pack is read from YAML, not when it comes from the cache

    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise RuleError(str(path), None, f"cannot read rule file: {exc}") from exc
    loader = _loader()(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except _Refused as exc:
        raise RuleError(str(path), exc.line or None, exc.message) from None
    except RecursionError:
        raise RuleError(str(path), None, "invalid YAML: it nests too deeply or an alias refers "
                        "to itself") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        problem = getattr(exc, "problem", None) or str(exc)
        raise RuleError(str(path), line, f"invalid YAML: {problem}") from exc
    finally:
        loader.dispose()
    lines: dict[tuple[Any, ...], int] = {}
    try:
        if node is not None:
            _record_lines(node, (), lines)
    except RecursionError:  # an alias that refers to itself, or absurd nesting
        raise RuleError(str(path), None, "invalid YAML: it nests too deeply or an alias refers "
                        "to itself") from None
    return Located(str(path), data, lines)
