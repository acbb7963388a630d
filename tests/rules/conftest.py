"""The team's coordinator in the pages: the test client holding team A's coordinator's session cookie."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from app.security import SESSION_COOKIE, create_access_token
from models import core as m


@pytest.fixture
def coordinator_pages(client: TestClient, users: dict[str, m.User], queued_jobs: None) -> TestClient:
    client.cookies.set(SESSION_COOKIE, create_access_token(users["coordinator"]))
    return client
