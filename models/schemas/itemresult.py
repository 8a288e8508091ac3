"""The per-item result of an HR task action (delegate, extend, remind).

Every action reports each item it touched: the task, the person, and ``ok``, ``skipped:
<why>`` or ``refused: <why>``. The CLI prints these rows and the Prefect flow writes them as a
table artifact, so the HR coordinator sees exactly what happened to whom.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

Outcome = Literal["ok", "skipped", "refused"]

COLUMNS: list[str] = ["task", "person", "result"]
"""The columns of :meth:`ItemResult.row`."""


@dataclass(frozen=True)
class ItemResult:
    """What happened to one item: ``task_id`` is None for an item that is not a task."""

    task_id: int | None
    person: str
    outcome: Outcome
    detail: str = ""

    @property
    def result(self) -> str:
        return f"{self.outcome}: {self.detail}" if self.detail else self.outcome

    def row(self) -> dict[str, str]:
        return {
            "task": "" if self.task_id is None else str(self.task_id),
            "person": self.person,
            "result": self.result,
        }


def any_refused(items: Iterable[ItemResult]) -> bool:
    return any(i.outcome == "refused" for i in items)
