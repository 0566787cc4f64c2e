"""Problems found while rendering, collected in the parser's environment."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Problem:
    """Something wrong in a text: `code` names it, `line` counts from 1 within the text."""

    code: str
    line: int | None = None
    params: dict[str, object] = field(default_factory=dict)


def warn(env: dict, code: str, line: int | None, **params: object) -> None:
    env.setdefault("warnings", []).append(Problem(code, line, params))
