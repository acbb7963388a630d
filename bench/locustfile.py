"""The load of a working day for `bench/load.py`, run by Locust: team members read rota weeks, carers'
days and citizens' pages; coordinators record changes (a carer off sick) and preview re-plans.

Everything it needs comes in the environment as JSON (HOMECARE_LOAD, written by bench/load.py): logins,
the ids to read, and two files: the ids of every change the server acknowledged (201), and every answer
of 500 or more with its moment, so the bench can tell the database outage's 503s from real failures.
"""

from __future__ import annotations

import json
import os
import random
import threading
import time
from typing import Any

from locust import HttpUser, between, events, task

CONF: dict[str, Any] = json.loads(os.environ.get("HOMECARE_LOAD", "{}"))
_write = threading.Lock()


def _append(path: str, record: dict[str, Any]) -> None:
    with _write, open(path, "a", encoding="utf-8") as out:
        out.write(json.dumps(record) + "\n")


@events.request.add_listener
def _server_errors(request_type: str, name: str, response: Any, exception: Any = None, **_kw: Any) -> None:
    status = getattr(response, "status_code", 0) or 0
    if status >= 500 or status == 0:
        _append(CONF["errors_file"], {"at": time.time(), "name": name, "status": status,
                                      "error": f"{type(exception).__name__}: {exception}"[:200]
                                      if exception else ""})


class TeamMember(HttpUser):
    """Reads the pages of one team all day (a tablet in the care office): opens a page, reads it, opens
    the next. Reading a week's rota or a citizen's page takes a person longer than 5 s; 5-15 s between
    pages is still a busy office (50 members: about 5 pages a second)."""

    fixed_count = int(CONF.get("members", 50))
    wait_time = between(*CONF.get("member_think_s", (5, 15)))

    def on_start(self) -> None:
        self.team = random.choice(CONF["member_teams"])
        login = self.team["member"]
        self.client.post("/login", data={"username": login, "password": CONF["password"]}, name="log in")

    @task(3)
    def rota_week(self) -> None:
        self.client.get(f"/teams/{self.team['id']}/rota?date={CONF['day']}", name="rota week")

    @task(3)
    def carer_day(self) -> None:
        carer = random.choice(self.team["carers"])
        self.client.get(f"/carers/{carer}/day?date={CONF['day']}", name="carer day")

    @task(2)
    def citizen_page(self) -> None:
        self.client.get(f"/citizens/{random.choice(self.team['citizens'])}?date={CONF['day']}",
                        name="citizen page")


class Coordinator(HttpUser):
    """Records the morning's changes and previews the re-plan of a day, through the API."""

    fixed_count = int(CONF.get("coordinators", 5))
    wait_time = between(4, 10)

    def on_start(self) -> None:
        self.team = random.choice(CONF["coordinator_teams"])
        answer = self.client.post("/api/auth/token", name="token",
                                  data={"username": self.team["coordinator"], "password": CONF["password"]})
        self.headers = {"Authorization": f"Bearer {answer.json().get('access_token', '')}"}

    @task(3)
    def record_change(self) -> None:
        day = random.randint(1, 6)
        change = {"type": "carer_absent", "carer": random.choice(self.team["carer_external_ids"]),
                  "from_day": day, "to_day": day, "reason": "load test: called in sick"}
        with self.client.post(f"/api/plans/{self.team['plan']}/adjustments", json={"changes": [change]},
                              headers=self.headers, name="record change", catch_response=True) as answer:
            if answer.status_code == 201:
                for row in answer.json():
                    _append(CONF["acknowledged_file"], {"id": row["id"]})
            elif answer.status_code in (409, 422):
                answer.success()  # a refusal the coordinator is told of, not a failure of the service

    @task(1)
    def preview_replan(self) -> None:
        day = random.randint(1, 6)
        with self.client.post(f"/api/plans/{self.team['plan']}/replans", headers=self.headers,
                              json={"from_day": day, "to_day": day, "time_limit": 2},
                              name="re-plan preview", catch_response=True) as answer:
            if answer.status_code in (409, 422):
                answer.success()  # another coordinator's re-plan or change came first: told, not failed
