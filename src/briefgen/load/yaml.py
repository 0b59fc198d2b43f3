"""YAML as briefgen reads it: plain data only, with the line of every key.

Content's YAML (front matter, briefs, ``briefgen.yaml``) stays plain data; a document
briefgen will not read raises :class:`YamlRefused`, reported like a syntax error at its
line (:func:`yaml_error_line`).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import yaml

# libyaml's loader when PyYAML was built with it: 20x faster on 1,000 front matters. Its
# error messages are terser, so a document it refuses is parsed again by the pure-Python
# loader, whose message ("..., but got '<stream end>'") is the one reported.
_FAST: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _parse(
    loader_class: type[yaml.SafeLoader], text: str, plain: bool = True
) -> tuple[Any, yaml.Node | None]:
    loader = loader_class(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None, None
        if plain:
            _plain(node)
        try:
            value = loader.construct_document(node)
        except ValueError as exc:  # a timestamp PyYAML reads but no calendar has
            bad = _first_scalar(node, "tag:yaml.org,2002:timestamp") or node
            raise YamlRefused(bad, f"not a real date ({exc}): write YYYY-MM-DD") from None
    finally:
        loader.dispose()
    return value, node


def _nodes(root: yaml.Node) -> Iterator[tuple[yaml.Node, bool]]:
    """Every node of a YAML node tree, without recursion, each with whether it was met
    before (an alias: the tree is a graph, even a cycle, and is entered only once)."""
    seen: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        again = id(node) in seen
        yield node, again
        if again:
            continue
        seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            stack += [part for pair in node.value for part in pair]
        elif isinstance(node, yaml.SequenceNode):
            stack += node.value


def _plain(root: yaml.Node) -> None:
    """Refuse aliases, repeated keys and lone surrogates in a node tree."""
    for node, again in _nodes(root):
        if again:
            raise YamlRefused(node, "YAML aliases (*name) are not allowed: write the value out")
        if isinstance(node, yaml.MappingNode):
            keys: set[str] = set()
            for key, _ in node.value:
                if isinstance(key, yaml.ScalarNode):
                    if key.value in keys:
                        raise YamlRefused(key, f"'{key.value}' is given twice: keep one")
                    keys.add(key.value)
        elif isinstance(node.value, str) and any("\ud800" <= c <= "\udfff" for c in node.value):
            raise YamlRefused(node, "text holds a lone surrogate (not Unicode): delete it")


def _first_scalar(root: yaml.Node, tag: str) -> yaml.Node | None:
    return next(
        (n for n, _ in _nodes(root) if isinstance(n, yaml.ScalarNode) and n.tag == tag), None
    )


class YamlRefused(yaml.YAMLError):
    """YAML briefgen will not read though PyYAML could (an alias, a key given twice, a date
    that does not exist): reported like a syntax error, at its line."""

    def __init__(self, node: yaml.Node | None, problem: str) -> None:
        super().__init__(problem)
        self.problem, self.context = problem, None
        self.problem_mark = node.start_mark if node is not None else None


def load_yaml(text: str, plain: bool = True) -> tuple[Any, yaml.Node | None]:
    """Parse YAML safely, returning the value and its node tree (for line numbers).

    Content's YAML stays plain data: anchors and aliases are refused before anything is
    built from them (an alias bomb expands to gigabytes), so are keys given twice (PyYAML
    keeps the last silently), dates that do not exist, text that is not Unicode (a lone
    surrogate) and nesting deeper than a few hundred levels. ``plain=False`` (the import
    command's own reference map, which reports repeated numbers itself) skips the alias,
    repeated-key and surrogate checks.
    """
    try:
        try:
            return _parse(_FAST, text, plain)
        except YamlRefused:
            raise
        except yaml.YAMLError:
            if _FAST is yaml.SafeLoader:
                raise
            return _parse(yaml.SafeLoader, text, plain)
    except RecursionError:
        raise YamlRefused(None, "YAML nested hundreds of levels deep: flatten it") from None


def key_node(node: yaml.Node | None, key: str) -> yaml.Node | None:
    """The value node of ``key`` in a mapping node."""
    if isinstance(node, yaml.MappingNode):
        for k, v in node.value:
            if isinstance(k, yaml.ScalarNode) and k.value == key:
                found: yaml.Node = v
                return found
    return None


def key_line(node: yaml.Node | None, key: str, default: int = 1) -> int:
    """1-based line of ``key`` in a mapping node (relative to the YAML text)."""
    if isinstance(node, yaml.MappingNode):
        for k, _ in node.value:
            if isinstance(k, yaml.ScalarNode) and k.value == key:
                return int(k.start_mark.line) + 1
    return default


def yaml_error_line(exc: yaml.YAMLError) -> tuple[int, str]:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    line = int(mark.line) + 1 if mark is not None else 1
    if isinstance(exc, YamlRefused):
        return line, exc.problem
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    context = getattr(exc, "context", None)
    message = f"{context}, {problem}" if context else str(problem)
    if "mapping values are not allowed" in message:  # "title: Cause: effect"
        message += " (a value holding ': ' must be in quotes: title: \"Cause: effect\")"
    return line, f"YAML syntax error: {message}"
