"""The task worker run inside `steward up` (a thread) or `steward worker` (a process)."""

from __future__ import annotations

import os
import socket
import threading

from django_tasks_db.management.commands.db_worker import Worker


def worker_id() -> str:
    return f"{socket.gethostname()}-{os.getpid()}-{threading.get_ident() % 10000}"


class WorkerThread(threading.Thread):
    def __init__(self, interval: float = 1.0) -> None:
        super().__init__(name="steward-worker", daemon=True)
        self.worker = Worker(
            queue_names=["*"],
            interval=interval,
            batch=False,
            backend_name="default",
            startup_delay=False,
            max_tasks=None,
            worker_id=worker_id(),
            excluded_queue_names=[],
        )

    def run(self) -> None:
        self.worker.run()

    def stop(self) -> None:
        self.worker.running = False
