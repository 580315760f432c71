"""Which model figure a placeholder prints: its lineage key and its value before the filters
that format it (``unmitigated.cfwd[last_year] | gbp_k`` prints ``unmitigated.cfwd[2024/25]``).

Read from the placeholder's own syntax tree, with each subscript evaluated in the paper's
context, so a figure is traced by what it names, never by a guess from its first word."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import jinja2
from jinja2 import nodes

#: Names the paper builds in words from a model figure: ``<name>_words`` traces to ``<name>``.
WORDS_SUFFIX = "_words"


def trace_placeholder(
    expression: str, env: jinja2.Environment, context: Mapping[str, Any]
) -> tuple[str | None, Any]:
    """The lineage key and raw value of the figure ``expression`` prints, before its filters;
    a figure printed negated (``-recovery_plan_impact[...]``) is ``-<key>``, with the key's
    own value. ``(None, None)`` for an expression that is not one figure (arithmetic, a
    literal, a helper)."""
    try:
        body = env.parse("{{ " + expression + " }}").body
    except jinja2.TemplateSyntaxError:
        return None, None
    if len(body) != 1 or not isinstance(body[0], nodes.Output) or len(body[0].nodes) != 1:
        return None, None
    node, sign = body[0].nodes[0], 1
    while isinstance(node, nodes.Filter | nodes.Neg):
        if isinstance(node, nodes.Neg):
            sign = -sign
        node = node.node
    try:
        path, value = _walk(node, env, context)
    except (KeyError, AttributeError, TypeError, jinja2.UndefinedError):
        return None, None
    key = path[0] + "".join(part if part.startswith("[") else f".{part}" for part in path[1:])
    for suffix in (WORDS_SUFFIX, ".words"):
        key = key.removesuffix(suffix)
    return (f"-{key}" if sign < 0 else key), value


def _walk(
    node: nodes.Node, env: jinja2.Environment, context: Mapping[str, Any]
) -> tuple[list[str], Any]:
    if isinstance(node, nodes.Name):
        return [node.name], context[node.name]
    if isinstance(node, nodes.Getattr):
        path, value = _walk(node.node, env, context)
        return [*path, node.attr], env.getattr(value, node.attr)
    if isinstance(node, nodes.Getitem):
        path, value = _walk(node.node, env, context)
        argument = node.arg
        if isinstance(argument, nodes.Const):
            index = argument.value
        elif isinstance(argument, nodes.Name):
            index = context[argument.name]
        else:
            raise TypeError("a computed subscript")
        return [*path, f"[{index}]"], env.getitem(value, index)
    raise TypeError(f"not a figure: {type(node).__name__}")


def plain_value(value: Any) -> Any:
    """A figure's raw value as JSON keeps it: a number, or else its text."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if hasattr(value, "item"):  # a NumPy number
        return value.item()
    return str(value)
