"""Moments (when a run was started, a version accepted) as the municipality reads them: in its time zone
(TIME_ZONE, default Europe/Stockholm), whatever zone the server runs in. They are stored in UTC."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from app.settings import get_settings


def moment(value: dt.datetime | None) -> str:
    """`2026-12-01 11:00` in the municipality's zone; a moment without a zone is taken as UTC."""
    if value is None:
        return ""
    aware = value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)
    return aware.astimezone(ZoneInfo(get_settings().time_zone)).strftime("%Y-%m-%d %H:%M")
