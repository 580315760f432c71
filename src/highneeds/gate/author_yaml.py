"""Reading YAML an author wrote (``sources.yaml``, ``paper.yaml``) safely: safe types only,
no aliases, and a plain refusal of what is not valid. A module of its own so that what merely
names the files (the CLI, a run that reuses every step) does not import the YAML library."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from highneeds.errors import InputDataError


class NoAliases:
    """A YAML loader that refuses aliases (``*name``): a few lines of aliases can expand to
    billions of values (the "billion laughs"), and an author's YAML never needs them."""

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):  # type: ignore[attr-defined]
            event = self.peek_event()  # type: ignore[attr-defined]
            raise yaml.YAMLError(
                f"line {event.start_mark.line + 1}: aliases (*{event.anchor}) are not allowed"
            )
        return super().compose_node(parent, index)  # type: ignore[misc]


class _SafeLoader(NoAliases, yaml.SafeLoader):
    """YAML's safe loader, without aliases."""


#: What a YAML file nested past the parser's depth is told (``{{{{...`` nests without end).
TOO_DEEP = (
    "not valid YAML: it nests too deeply (unquoted braces or brackets open a new level each); "
    "put text in quotes"
)


def load_yaml(path: Path) -> Any:
    """Read an author's YAML file (safe types only, no aliases); refuse it plainly if invalid."""
    try:
        return yaml.load(path.read_text(encoding="utf-8"), Loader=_SafeLoader)
    except RecursionError:
        raise InputDataError(f"{path.name}: {TOO_DEEP}") from None
    except yaml.YAMLError as exc:
        raise InputDataError(f"{path.name}: not valid YAML: {exc}") from None
