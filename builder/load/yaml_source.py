"""YAML parsing that remembers where every key and value stands in the file.

Plain `yaml.safe_load` forgets positions, silently keeps the last of two duplicate
keys and expands aliases without limit; editors need `path:line:column` for every
problem, so we walk the node tree ourselves.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import yaml

from builder.load import yaml_flow, yaml_scalars
from builder.util.i18n import N_, _

Key = tuple[str | int, ...]

# PyYAML's own descriptions of the commonest mistakes, translated when one matches exactly;
# any other stays in English as the library wrote it.
_YAML_PROBLEMS = {
    N_("mapping values are not allowed here"),
    N_("could not find expected ':'"),
    N_("found character '\\t' that cannot start any token"),
    N_("found unexpected end of stream"),
    N_("sequence entries are not allowed here"),
    N_("but found another document"),
}
# The same for descriptions that quote a piece of the file; the quoted part is kept as is.
_YAML_PROBLEM_PATTERNS = (
    (re.compile(r"found undefined alias (?P<name>.+)"), N_("found undefined alias {name}")),
    (
        re.compile(r"found character (?P<character>.+) that cannot start any token"),
        N_("found character {character} that cannot start any token"),
    ),
    (
        re.compile(r"found unknown escape character (?P<character>.+)"),
        N_("found unknown escape character {character}"),
    ),
    (
        re.compile(r"expected <block end>, but found (?P<token>.+)"),
        N_("expected <block end>, but found {token}"),
    ),
    (
        re.compile(r"expected ',' or '\]', but got (?P<token>.+)"),
        N_("expected ',' or ']', but got {token}"),
    ),
    (
        re.compile(r"expected ',' or '\}', but got (?P<token>.+)"),
        N_("expected ',' or '}}', but got {token}"),
    ),
)


@dataclass(frozen=True, slots=True)
class Position:
    line: int  # 1-based
    column: int  # 1-based


@dataclass(slots=True)
class LocatedYaml:
    """The parsed value plus the positions of every value and key, by path."""

    value: Any
    values: dict[Key, Position] = field(default_factory=dict)
    keys: dict[Key, Position] = field(default_factory=dict)
    # Numbers as typed (`45.000`, `0123`): a text fact keeps what the editor wrote.
    texts: dict[Key, str] = field(default_factory=dict)
    refused: list[YamlProblem] = field(default_factory=list)  # values that cannot be read

    def at(self, path: Key) -> Position:
        """Where the value at `path` stands, or the nearest enclosing value."""
        while path not in self.values and path:
            path = path[:-1]
        return self.values.get(path, Position(1, 1))

    def key_at(self, path: Key) -> Position:
        return self.keys.get(path) or self.at(path)


class YamlProblem(Exception):
    """What keeps the YAML text from being read; `also`: further values refused with it."""

    def __init__(
        self,
        message: str,
        position: Position,
        hint: str = "",
        also: tuple[YamlProblem, ...] = (),
        code: str = "yaml-syntax",
    ) -> None:
        super().__init__(message)
        self.message = message
        self.position = position
        self.hint = hint
        self.also = also
        self.code = code

    @property
    def every(self) -> tuple[YamlProblem, ...]:
        return (self, *self.also)


MAX_DEPTH = 20  # a model's facts nest three deep (images → item → key); YAML recurses


def parse_yaml(text: str, first_line: int = 1) -> LocatedYaml:
    """Parse `text`, whose first line is line `first_line` of its file."""
    _check_depth(text, first_line)
    try:
        return _parse(text, first_line)
    except RecursionError as exc:  # nested by indentation rather than brackets
        raise _too_deep(Position(first_line, 1)) from exc


def _check_depth(text: str, first_line: int) -> None:
    """Brackets nested past MAX_DEPTH, named where they pass it, before the parser recurses
    into a thousand levels."""
    depth = 0
    for index, char in yaml_flow.brackets(text):
        depth += 1 if char in yaml_flow.OPENING else -1
        if depth > MAX_DEPTH:
            line_start = text.rfind("\n", 0, index) + 1
            line = first_line + text.count("\n", 0, index)
            raise _too_deep(Position(line, index - line_start + 1))


def _too_deep(where: Position) -> YamlProblem:
    return YamlProblem(
        _("the facts are nested more than {most} levels deep").format(most=MAX_DEPTH),
        where,
        _("a fact is a text, a number or a short list: remove the extra brackets"),
        code="too-deep",
    )


def _parse(text: str, first_line: int) -> LocatedYaml:
    offset = first_line - 1
    fast = _fast_compose(text)
    if fast is not None:
        loader, root = fast
        located = LocatedYaml(None)
        if root is not None:
            located.value = _convert(root, (), located, loader, offset, set())
        return _checked(located)
    try:
        loader = yaml.SafeLoader(text)
    except yaml.reader.ReaderError as exc:
        raise _reader_problem(exc, text, first_line) from exc
    try:
        root = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = (
            Position(mark.line + 1 + offset, mark.column + 1) if mark else Position(first_line, 1)
        )
        problem = _yaml_problem(exc.problem) if exc.problem else str(exc)
        raise YamlProblem(
            _("YAML syntax error: {problem}").format(problem=problem), where, _yaml_hint(exc)
        ) from exc
    except yaml.reader.ReaderError as exc:
        raise _reader_problem(exc, text, first_line) from exc
    except yaml.YAMLError as exc:
        raise YamlProblem(
            _("YAML syntax error: {problem}").format(problem=exc), Position(first_line, 1)
        ) from exc
    finally:
        loader.dispose()
    located = LocatedYaml(None)
    if root is None:
        return located
    located.value = _convert(root, (), located, loader, offset, set())
    return _checked(located)


def _checked(located: LocatedYaml) -> LocatedYaml:
    """`located`, or every value it could not read, said together at their places."""
    if located.refused:
        first, *others = located.refused
        raise YamlProblem(first.message, first.position, first.hint, tuple(others), first.code)
    return located


def _fast_compose(text: str) -> tuple[Any, yaml.Node | None] | None:
    """The document's nodes through libyaml (eight times faster), when PyYAML has it and
    the text is valid; None sends the text through the Python parser, whose messages the
    catalogue translates. Both count lines and columns in characters."""
    if not yaml.__with_libyaml__ or "\x00" in text:
        return None
    loader = yaml.CSafeLoader(text)
    try:
        return loader, loader.get_single_node()
    except yaml.YAMLError:
        return None
    finally:
        loader.dispose()


def _reader_problem(exc: yaml.reader.ReaderError, text: str, first_line: int) -> YamlProblem:
    """A character YAML refuses (a control character pasted from somewhere), with its place."""
    before = text[: exc.position]
    line = first_line + before.count("\n")
    column = exc.position - (before.rfind("\n") + 1) + 1
    return YamlProblem(
        _("the facts contain an invisible control character (U+{code})").format(
            code=f"{exc.character:04X}"
        ),
        Position(line, column),
        _("delete it: retype the line"),
        code="control-character",
    )


def _position(node: yaml.Node, offset: int) -> Position:
    return Position(node.start_mark.line + 1 + offset, node.start_mark.column + 1)


def _convert(
    node: yaml.Node,
    path: Key,
    located: LocatedYaml,
    loader: Any,  # a SafeLoader or libyaml's CSafeLoader
    offset: int,
    seen: set[int],
) -> Any:
    if id(node) in seen and not isinstance(node, yaml.ScalarNode):
        raise YamlProblem(
            _("YAML anchors and aliases (& and *) are not allowed here"),
            _position(node, offset),
            _("write the value out in full"),
            code="yaml-alias",
        )
    seen.add(id(node))
    located.values[path] = _position(node, offset)
    if isinstance(node, yaml.MappingNode):
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                raise YamlProblem(
                    _("YAML merge keys (<<) are not allowed here"),
                    _position(key_node, offset),
                    code="yaml-merge-key",
                )
            try:  # a key is a value too: `2025-02-30:` is no date
                key = str(yaml_scalars.construct(loader, key_node))
            except yaml_scalars.ScalarProblem as exc:
                raise YamlProblem(
                    exc.message, _position(key_node, offset), exc.hint, code="bad-value"
                ) from exc
            if key in result:
                first = located.keys[(*path, key)]
                raise YamlProblem(
                    _("duplicate key `{key}`").format(key=key),
                    _position(key_node, offset),
                    _("`{key}` is already set on line {line}; keep only one").format(
                        key=key, line=first.line
                    ),
                    code="duplicate-key",
                )
            located.keys[(*path, key)] = _position(key_node, offset)
            result[key] = _convert(value_node, (*path, key), located, loader, offset, seen)
        return result
    if isinstance(node, yaml.SequenceNode):
        return [
            _convert(item, (*path, index), located, loader, offset, seen)
            for index, item in enumerate(node.value)
        ]
    if yaml_scalars.is_number(node):
        located.texts[path] = node.value
    try:
        return yaml_scalars.construct(loader, node)
    except yaml_scalars.ScalarProblem as exc:  # said with the others once all are read
        located.refused.append(
            YamlProblem(exc.message, _position(node, offset), exc.hint, code="bad-value")
        )
        return None
    except yaml.YAMLError as exc:
        raise YamlProblem(
            _("invalid value: {error}").format(error=exc), _position(node, offset), code="bad-value"
        ) from exc


def _yaml_problem(problem: str) -> str:
    """PyYAML's description of a mistake, in the editor's language when it is a common one."""
    if problem in _YAML_PROBLEMS:
        return _(problem)
    for pattern, message in _YAML_PROBLEM_PATTERNS:
        found = pattern.fullmatch(problem)
        if found:
            return _(message).format(**found.groupdict())
    return problem


def _yaml_hint(exc: yaml.MarkedYAMLError) -> str:
    problem = str(exc.problem or "")
    if "mapping values are not allowed" in problem:
        return _("a value containing `: ` must be put in double quotes")
    if "found character '\\t'" in problem:
        return _("YAML does not allow tabs for indentation; use spaces")
    if "could not find expected ':'" in problem:
        return _(
            "each line must be `key: value`; put text with special characters in double quotes"
        )
    return ""
