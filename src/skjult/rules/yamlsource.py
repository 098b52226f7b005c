"""YAML loading that remembers on which line every value stood, for error messages."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from skjult.rules.errors import RuleError


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


def load(path: Path) -> Located:
    import yaml  # only when a pack is read from YAML, not when it comes from the cache

    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise RuleError(str(path), None, f"cannot read rule file: {exc}") from exc
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
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
