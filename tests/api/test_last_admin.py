"""The last two admins step down at the same moment, with two real sessions as two requests would have:
one may, the other waits for it and is refused, so the installation always keeps an admin who can make
users. On PostgreSQL the admins' rows are locked; on SQLite a writing request holds the write lock from
its first statement, so the second waits there (before, it failed with "database is locked", a 500)."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, delete, func, select
from sqlalchemy.orm import Session

from app.db import for_writing
from app.schemas.core import UserUpdate
from app.services import core as svc
from models import core as m
from tests.concurrency import start_second_request


@pytest.fixture
def two_admins(db_engine: Engine) -> Iterator[list[int]]:
    tag = uuid.uuid4().hex[:6]
    with Session(db_engine) as s:
        admins = [m.User(username=f"admin{i}-{tag}", password_hash="-", role=m.ROLE_ADMIN) for i in (1, 2)]
        s.add_all(admins)
        s.commit()
        ids = [a.id for a in admins]
    yield ids
    with Session(db_engine) as s:
        s.execute(delete(m.User).where(m.User.id.in_(ids)))
        s.commit()

def test_two_admins_stepping_down_at_once_leave_one_admin(db_engine: Engine, two_admins: list[int]) -> None:
    requests = for_writing(db_engine)  # as `app.db.get_session` gives a PATCH or a DELETE
    with Session(db_engine) as s:
        active = select(func.count()).select_from(m.User).where(m.User.role == m.ROLE_ADMIN,
                                                               m.User.is_active.is_(True))
        assert s.scalar(active) == 2  # the two of this test are the installation's only admins
    second = start_second_request(requests, lambda s: svc.update_user(
        s, user=s.get_one(m.User, two_admins[1]), data=UserUpdate(is_active=False)))
    with Session(requests) as s:
        svc.update_user(s, user=s.get_one(m.User, two_admins[0]), data=UserUpdate(role="coordinator"))
        second.first_holds_its_locks.set()
        time.sleep(0.5)  # the second admin's request arrives while this one is still open
        s.commit()
    second.join()

    assert second.outcome.startswith("409") and "last active admin" in second.outcome, second
    assert second.waited >= 0.3  # it waited for the first to commit, then read again
    with Session(db_engine) as s:
        assert s.scalar(active) == 1
