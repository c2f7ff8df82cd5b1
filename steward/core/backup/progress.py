"""Progress reporting for backup and restore: the core speaks to a small protocol, the commands
plug in rich bars (or nothing, for scripts and cron)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Protocol

from rich.console import Console
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    ProgressColumn,
    Task,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TransferSpeedColumn,
)
from rich.text import Text


class Step(Protocol):
    def advance(self, amount: int) -> None: ...

    def set_total(self, total: int) -> None: ...


class Reporter(Protocol):
    def step(self, description: str, total: int | None) -> AbstractContextManager[Step]:
        """One long step; ``total`` is a byte count, or None while it cannot be known."""
        ...


class _NullStep:
    def advance(self, amount: int) -> None:
        pass

    def set_total(self, total: int) -> None:
        pass


class NullReporter:
    """Reports nothing: for tests, quiet runs and callers without a terminal."""

    @contextmanager
    def step(self, description: str, total: int | None) -> Iterator[Step]:
        yield _NullStep()


class _RichStep:
    def __init__(self, progress: Progress, task_id: TaskID) -> None:
        self._progress, self._task_id = progress, task_id

    def advance(self, amount: int) -> None:
        self._progress.advance(self._task_id, amount)

    def set_total(self, total: int) -> None:
        self._progress.update(self._task_id, total=total, unsized=False)


class _SizeColumn(ProgressColumn):
    """Bytes done / total and speed; blank for a step that never learnt its size."""

    def __init__(self) -> None:
        super().__init__()
        self._size, self._speed = DownloadColumn(), TransferSpeedColumn()

    def render(self, task: Task) -> Text:
        if task.fields.get("unsized"):
            return Text("")
        if (task.finished_speed or task.speed) is None:  # too quick to measure: no "?"
            return self._size.render(task)
        return Text.assemble(self._size.render(task), "  ", self._speed.render(task))


class RichReporter:
    """One rich bar per step, counting bytes; a step without a known size pulses until done."""

    def __init__(self, progress: Progress) -> None:
        self._progress = progress

    @contextmanager
    def step(self, description: str, total: int | None) -> Iterator[Step]:
        task_id = self._progress.add_task(description, total=total, unsized=total is None)
        yield _RichStep(self._progress, task_id)
        task = self._progress.tasks[task_id]
        done = task.total if task.total is not None else task.completed
        # A bar that never learnt a size still ends full, not pulsing.
        self._progress.update(task_id, total=done or 1, completed=done or 1)


@contextmanager
def rich_reporter(console: Console) -> Iterator[RichReporter]:
    columns = (
        TextColumn("{task.description:<26}"),
        BarColumn(),
        _SizeColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=console, transient=False) as progress:
        yield RichReporter(progress)
