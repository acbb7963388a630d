"""The demo municipality, and the `homecare` commands a municipality's IT person runs."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from collections import Counter

import pytest
from sqlalchemy import func, select

from app.demo import DEMO_PASSWORD, demo_logins, seed_demo
from app.mapping import build_problem
from models.core import ROLES, Carer, Citizen, Need, Shift, Team, User, Visit
from tests.paths import generated_instance

START = dt.date(2026, 11, 30)


def test_the_demo_is_a_small_municipality_with_a_month_of_visits(db_session):
    info = seed_demo(db_session, start=START)
    count = lambda m: db_session.scalar(select(func.count()).select_from(m))  # noqa: E731
    assert count(Team) == 3 and 55 <= count(Citizen) <= 65 and 35 <= count(Carer) <= 45
    assert {u.role for u in db_session.scalars(select(User))} == set(ROLES)
    kinds = Counter(db_session.scalars(select(Need.kind)))
    assert {"morning", "lunch", "evening", "shower", "medication"} <= set(kinds)
    dates = db_session.execute(select(func.min(Visit.date), func.max(Visit.date))).one()
    assert dates == (START, START + dt.timedelta(days=27)) and info.visits == count(Visit)
    # split shifts: some carers work twice on one day
    per_day = Counter(db_session.execute(select(Shift.carer_id, Shift.date)).all())
    assert max(per_day.values()) == 2
    # every team has carers for medication and for two-carer lifts on every day
    for team in db_session.scalars(select(Team)):
        problem = build_problem(db_session, team_ids=[team.id], start=START, end=START + dt.timedelta(days=6))
        for day in range(7):
            on = [c for c in problem.carers if any(s.day == day for s in c.shifts)]
            assert sum("medication" in c.skills for c in on) >= 2
            assert sum("lift" in c.skills for c in on) >= 2


@pytest.mark.slow
def test_a_new_user_opens_the_demo_on_an_accepted_plan_for_every_team(db_session):
    from app.demo import plan_demo
    from models.core import PLAN_ACCEPTED, PlanVersion

    info = seed_demo(db_session, start=START, days=7)
    placed = plan_demo(db_session, start=START, days=7, seconds_per_team=1.0)

    accepted = db_session.scalars(select(PlanVersion).where(PlanVersion.status == PLAN_ACCEPTED)).all()
    assert len(accepted) == info.teams == 3
    # A demo plan places nearly every visit, so the rota is not empty on first sight.
    assert placed >= 0.8 * info.visits


def test_the_demo_logins_printed_by_make_run_work(client, db_session):
    seed_demo(db_session, start=START)
    for login in demo_logins():
        answer = client.post("/api/auth/token", data={"username": login.username, "password": DEMO_PASSWORD})
        assert answer.status_code == 200, login.username


def _homecare(tmp_path, *args: str) -> subprocess.CompletedProcess[str]:
    """`homecare ...` on a database of the test's own, migrated first as IT would (`homecare migrate`)."""
    from app.migrate import upgrade_head

    url = f"sqlite:///{tmp_path / 'cli.db'}"
    if not (tmp_path / "cli.db").exists():
        upgrade_head(url)
    env = {**os.environ, "DATABASE_URL": url}
    return subprocess.run([sys.executable, "-c", "from app.cli import main; main()", *args],
                          capture_output=True, text=True, env=env, timeout=120)


@pytest.mark.slow
def test_import_and_export_on_the_command_line_round_trip(tmp_path):
    imported = _homecare(tmp_path, "import", str(generated_instance()))
    assert imported.returncode == 0, imported.stderr
    out = tmp_path / "out.json"
    exported = _homecare(tmp_path, "export", "instance", "--team", "T1", "-o", str(out))
    assert exported.returncode == 0, exported.stderr
    original = json.loads(generated_instance().read_text())
    again = json.loads(out.read_text())
    assert {v["id"] for v in again["visits"]} == {v["id"] for v in original["visits"]}
    assert again["name"] == original["name"]


@pytest.mark.parametrize(("content", "expected"), [
    ("not json", "not JSON"),
    ('{"format": "homecare-instance/1", "name": "x"}', "start_date"),
])
def test_a_bad_file_on_the_command_line_exits_2_with_a_message_and_no_traceback(tmp_path, content, expected):
    bad = tmp_path / "bad.json"
    bad.write_text(content)
    run = _homecare(tmp_path, "import", str(bad))
    assert run.returncode == 2
    assert expected in run.stderr and "Traceback" not in run.stderr


def test_a_plan_file_breaking_a_rule_on_the_command_line_names_each_rule_and_visit(tmp_path):
    from tests.api.test_exchange import two_days_with_a_carer_on_the_first

    instance = tmp_path / "instance.json"
    instance.write_text(json.dumps(two_days_with_a_carer_on_the_first()))
    assert _homecare(tmp_path, "import", str(instance)).returncode == 0
    plan = tmp_path / "plan.json"
    plan.write_text(json.dumps({"format": "homecare-plan/1", "instance": "two-days", "visits": [
        {"id": "TA-p1-d0", "carers": ["TA-c1"], "start": 1439}]}))
    run = _homecare(tmp_path, "import", str(plan))
    assert run.returncode == 2, run.stderr
    assert "visits[0].start: start 1439 outside its window" in run.stderr
    assert "nothing was stored" in run.stderr


def test_a_missing_file_and_a_bad_date_exit_2(tmp_path):
    assert _homecare(tmp_path, "import", str(tmp_path / "nope.json")).returncode == 2
    run = _homecare(tmp_path, "export", "instance", "--start", "someday")
    assert run.returncode == 2 and "not a date" in run.stderr
