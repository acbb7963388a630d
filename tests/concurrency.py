"""Two requests at the same moment, with two real sessions: the second starts once the first
holds its locks, and records whether it went through or was refused (409), and how long it waited."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from app.services.errors import Conflict


@dataclass
class SecondRequest:
    first_holds_its_locks: threading.Event
    outcome: str = ""  # "done", or "409: <message>"
    waited: float = 0.0
    thread: threading.Thread | None = None

    def join(self, timeout: float = 30) -> None:
        assert self.thread is not None
        self.thread.join(timeout)


def start_second_request(engine: Engine, act: Callable[[Session], object]) -> SecondRequest:
    """`act` runs in its own session and thread once `first_holds_its_locks` is set, then commits."""
    second = SecondRequest(first_holds_its_locks=threading.Event())

    def run() -> None:
        second.first_holds_its_locks.wait(10)
        t0 = time.monotonic()
        with Session(engine) as s:
            try:
                act(s)
                s.commit()
                second.outcome = "done"
            except Conflict as e:
                s.rollback()
                second.outcome = f"409: {e.message}"
        second.waited = time.monotonic() - t0

    second.thread = threading.Thread(target=run)
    second.thread.start()
    return second
