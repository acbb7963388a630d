"""The access log as an admin reads it."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel


class AccessLogOut(BaseModel):
    at: dt.datetime
    user_id: int
    username: str
    citizen_id: int
    citizen_name: str | None  # None once the citizen's row is gone; the id stays
    what: str
    path: str
    address: str
