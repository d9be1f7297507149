"""Strict, bounded YAML reading for files a person wrote.

PyYAML's ``safe_load`` never runs code, but it follows YAML 1.1, which reads many
things a careful reader would not: ``yes``/``no``/``on``/``off`` as booleans,
``1_000`` as 1000, ``1:30`` as 90 (base 60), ``010`` as 8 (octal), ``2024-04-01``
as a date, and a repeated key silently keeps the last value. Here each of those is
an error naming its key and value. Input is also bounded before it is built: file
size, nesting depth, and the size an alias (``*name``) would expand to.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from flowsim.errors import ConfigError, Problem

#: Largest file read, bytes (a county scenario is about 5 kB).
MAX_FILE_BYTES = 1_000_000
#: Deepest nesting of mappings and lists (a scenario needs 4).
MAX_DEPTH = 32
#: Most values a document may expand to once aliases are followed.
MAX_NODES = 200_000

_BOOL_OK = {"true", "false"}
_TAG = "tag:yaml.org,2002:"
_LEADING_ZERO = re.compile(r"^[-+]?0[0-9_]+$")
_BASED = re.compile(r"^[-+]?0[xXoObB]")


class YamlSurpriseError(ConfigError):
    """Problems of a document that still reads (duplicate keys, YAML 1.1 surprises,
    non-text keys): ``data`` is what a plain YAML reader would make of it, so a caller
    can check the rest of the file and list every problem at once."""

    def __init__(self, problems: list[Problem], source: str | None, data: Any) -> None:
        super().__init__(problems, source)
        self.data = data

    def __reduce__(self):
        return (ConfigError, (self.problems, self.source, self.kind))


def _where(node: Node) -> str:
    return f"line {node.start_mark.line + 1}"


def _shown(node: Node) -> str:
    """A value as written, for a message (a mapping or list is not spelled out)."""
    return node.value if isinstance(node, ScalarNode) else "<mapping or list>"


class _Checker:
    """Walk a composed node graph: key paths, suspicious scalars, duplicates, size."""

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix
        self.problems: list[Problem] = []
        self.sizes: dict[int, int] = {}
        self.active: set[int] = set()

    def key(self, path: tuple[str, ...]) -> str:
        return ".".join((self.prefix, *path) if self.prefix else path) or "<root>"

    def scalar(self, node: ScalarNode, path: tuple[str, ...]) -> None:
        if node.style is not None:  # quoted or block text: always a string
            return
        v, tag = node.value, node.tag
        rule = None
        if tag == _TAG + "bool" and v.lower() not in _BOOL_OK:
            rule = (
                f"YAML 1.1 reads {v!r} as a boolean; write true or false "
                "(or quote it if you mean text)"
            )
        elif tag in (_TAG + "int", _TAG + "float") and "_" in v:
            rule = f"YAML 1.1 reads {v!r} as {v.replace('_', '')}; write the number without '_'"
        elif tag in (_TAG + "int", _TAG + "float") and ":" in v:
            rule = f"YAML 1.1 reads {v!r} as a base-60 number; write a plain number, or quote it"
        elif tag == _TAG + "int" and (_LEADING_ZERO.match(v) or _BASED.match(v)):
            rule = f"YAML 1.1 reads {v!r} as an octal, hex or binary number; write it in decimal"
        elif tag == _TAG + "timestamp":
            rule = "YAML reads this as a date or time; dates are not accepted (quote it as text)"
        if rule:
            self.problems.append(Problem(self.key(path), v, f"{rule} ({_where(node)})"))

    def walk(self, node: Node, path: tuple[str, ...]) -> int:
        """Check ``node`` and return how many values it expands to."""
        nid = id(node)
        if nid in self.sizes:
            return self.sizes[nid]
        if nid in self.active:
            self.problems.append(
                Problem(self.key(path), "*alias", f"a recursive alias ({_where(node)})")
            )
            return MAX_NODES + 1
        self.active.add(nid)
        size = 1
        if isinstance(node, ScalarNode):
            self.scalar(node, path)
        elif isinstance(node, SequenceNode):
            for i, child in enumerate(node.value):
                size += self.walk(child, (*path, str(i)))
        elif isinstance(node, MappingNode):
            seen: dict[str, tuple[Node, Node]] = {}
            for knode, vnode in node.value:
                if knode.tag == _TAG + "merge":
                    size += self.walk(vnode, path)
                    continue
                if not isinstance(knode, ScalarNode) or knode.tag != _TAG + "str":
                    self.problems.append(
                        Problem(
                            self.key(path),
                            _shown(knode),
                            f"a key must be a name (text), not {knode.tag.removeprefix(_TAG)}"
                            f" ({_where(knode)})",
                        )
                    )
                    continue
                k = knode.value
                if k in seen:
                    first_k, first_v = seen[k]
                    self.problems.append(
                        Problem(
                            self.key((*path, k)),
                            _shown(vnode),
                            f"duplicate key: given on {_where(first_k)} ({_shown(first_v)}) "
                            f"and again on {_where(knode)} (YAML would silently keep the last)",
                        )
                    )
                seen[k] = (knode, vnode)
                size += self.walk(vnode, (*path, k))
        self.active.discard(nid)
        self.sizes[nid] = size
        return size


def _syntax_problem(exc: yaml.YAMLError, prefix: str) -> Problem:
    # Only the position and the parser's own words: never a snippet of the input.
    mark = getattr(exc, "problem_mark", None)
    what = getattr(exc, "problem", None) or type(exc).__name__
    at = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
    return Problem(prefix or "<file>", "<text>", f"not valid YAML{at}: {what}")


def _check_depth(text: str, prefix: str) -> None:
    """Refuse deep nesting before composing (PyYAML's composer is recursive)."""
    depth = deepest = 0
    opening = (
        yaml.BlockMappingStartToken,
        yaml.BlockSequenceStartToken,
        yaml.FlowMappingStartToken,
        yaml.FlowSequenceStartToken,
    )
    closing = (yaml.BlockEndToken, yaml.FlowMappingEndToken, yaml.FlowSequenceEndToken)
    for tok in yaml.scan(text, Loader=yaml.SafeLoader):
        if isinstance(tok, opening):
            depth += 1
            if depth > MAX_DEPTH:
                raise ConfigError(
                    [
                        Problem(
                            prefix or "<file>",
                            f"depth > {MAX_DEPTH}",
                            f"nested more than {MAX_DEPTH} levels deep at line "
                            f"{tok.start_mark.line + 1}; a scenario needs at most 4",
                        )
                    ]
                )
            deepest = max(deepest, depth)
        elif isinstance(tok, closing):
            depth -= 1


def loads(text: str, source: str | None = None, prefix: str = "") -> Any:
    """Parse YAML text strictly; every problem at once in one ConfigError.

    Parameters
    ----------
    text : str
        The document.
    source : str, optional
        Where it came from, for the error heading.
    prefix : str
        Dotted key the document sits under (for ``--set key=value`` values).

    Returns
    -------
    object
        Plain data (dicts, lists, str, int, float, bool, None).

    Raises
    ------
    ConfigError
        Syntax errors, duplicate keys, YAML 1.1 surprises, non-text keys, nesting
        deeper than ``MAX_DEPTH`` or expansion beyond ``MAX_NODES`` values.
    """
    try:
        _check_depth(text, prefix)
        loader = yaml.SafeLoader(text)
        try:
            node = loader.get_single_node()
            if node is None:
                return None
            checker = _Checker(prefix)
            size = checker.walk(node, ())
            if size > MAX_NODES:
                raise ConfigError(
                    [
                        Problem(
                            prefix or "<file>",
                            f"{size:,} values" if size <= 10 * MAX_NODES else "unbounded",
                            f"aliases (*name) would expand the document beyond "
                            f"{MAX_NODES:,} values; write the values out instead",
                        )
                    ],
                    source,
                )
            if checker.problems:
                # If the document still reads (YAML 1.1's meaning, the last of
                # duplicates) a caller may go on to check it, so every problem is listed
                # at once; one that does not read (an impossible date, a list as a key)
                # is refused with its surprises alone.
                try:
                    data = loader.construct_document(node)
                except Exception:  # noqa: BLE001 (any construction failure: refuse plainly)
                    raise ConfigError(checker.problems, source) from None
                raise YamlSurpriseError(checker.problems, source, data)
            return loader.construct_document(node)
        finally:
            loader.dispose()
    except yaml.YAMLError as exc:
        raise ConfigError([_syntax_problem(exc, prefix)], source) from None
    except RecursionError:
        raise ConfigError(
            [Problem(prefix or "<file>", "<text>", "too deeply nested to read")], source
        ) from None


def parse_value(text: str, key: str = "") -> Any:
    """Read one value written on the command line (``--set key=TEXT``) as strict YAML.

    Text that is not valid YAML at all (``a: b: c``) is kept as the string given;
    YAML 1.1 surprises (``yes``, ``1_000``, ``1:30``, dates) are errors.
    """
    try:
        return loads(text, prefix=key)
    except ConfigError as exc:
        if all(p.rule.startswith("not valid YAML") for p in exc.problems):
            return text
        raise


def read_text(path: str | Path, what: str = "scenario") -> str:
    """Read a small UTF-8 text file, refusing anything else before reading it all.

    Raises
    ------
    ConfigError
        The path is missing, not a regular file, larger than ``MAX_FILE_BYTES``,
        binary (contains NUL bytes) or not UTF-8. The message never quotes content.
    """
    path = Path(path)
    key = what
    try:
        if not path.is_file():
            raise ConfigError([Problem(key, str(path), f"no such {what} file")])
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise ConfigError(
                [
                    Problem(
                        key,
                        str(path),
                        f"file is {size:,} bytes; a {what} file may be at most "
                        f"{MAX_FILE_BYTES:,} bytes",
                    )
                ]
            )
        with path.open("rb") as fh:
            data = fh.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise ConfigError([Problem(key, str(path), f"cannot read: {exc.strerror}")]) from None
    if len(data) > MAX_FILE_BYTES:
        raise ConfigError([Problem(key, str(path), f"more than {MAX_FILE_BYTES:,} bytes; refused")])
    if b"\x00" in data:
        raise ConfigError([Problem(key, str(path), f"a binary file, not a YAML {what} file")])
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ConfigError(
            [Problem(key, str(path), f"not UTF-8 text (byte {exc.start}); save it as UTF-8")]
        ) from None


def load_file(path: str | Path, what: str = "scenario") -> Any:
    """Read and strictly parse a YAML file (see :func:`read_text` and :func:`loads`)."""
    return loads(read_text(path, what), source=str(path))


__all__ = ["MAX_DEPTH", "MAX_FILE_BYTES", "MAX_NODES", "load_file", "loads", "parse_value"]
