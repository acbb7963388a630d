"""A quick sweep really plans: the in-process runner plans one short run per continuity setting, one
after another as any jobs, no setting breaks the monthly cap, and the team's curve then holds every
setting over the same period."""

from __future__ import annotations

import datetime as dt
from typing import Any

from app.jobs.inprocess import InProcessRunner
from app.services import curve, jobs
from models import core as m
from tests.jobs.conftest import World

START, END = "2026-12-01", "2026-12-07"


def test_a_quick_sweep_plans_each_setting_and_fills_in_the_teams_curve(world: World, api: Any) -> None:
    runner = InProcessRunner(sessions=world.sessions, solve_path="solver.solve:solve", isolation="thread",
                             workers=1)
    try:
        client = api(runner)
        team_id = world.teams["A-T1"]
        first, last = dt.date.fromisoformat(START), dt.date.fromisoformat(END)
        with world.sessions() as s:
            coordinator = s.get_one(m.User, world.users["coordinator"].id)
            before = curve.team_curve(s, team=s.get_one(m.Team, team_id))
            settings = curve.sweep_settings(before, start=first, end=last)
            started = jobs.submit_sweep(s, user=coordinator, runner=runner, team_id=team_id, start=first,
                                        end=last, settings=settings, time_limit=3)
            ids = [j.id for j in started]
            s.commit()
        done = [world.wait_for(client, i, lambda j: j["status"] not in ("queued", "running", "gathering"),
                               timeout=120)[0] for i in ids]
        # The three settings, and a face budget of half the monthly cap (12) before any run.
        assert [(d["status"], d["continuity"], d["sweep"]) for d in done] == [
            ("succeeded", "fewest", True), ("succeeded", "balanced", True), ("succeeded", "travel", True),
            ("succeeded", "faces:6", True)]
        for d in done:  # "least travel" too keeps every citizen within the monthly cap
            assert d["figures"]["placed"] > 0 and d["figures"]["cap_breaches"] == 0
        with world.sessions() as s:
            c = curve.team_curve(s, team=s.get_one(m.Team, team_id))
        assert sorted(p.setting for p in c.points) == ["balanced", "faces:6", "fewest", "travel"]
        assert c.missing == [] and c.verdict in (curve.SAVES, curve.NO_SAVING, curve.TOO_CLOSE)
        r = client.get(f"/api/teams/{team_id}/continuity-curve", headers=world.headers["coordinator"])
        assert r.status_code == 200 and len(r.json()["points"]) == 4
    finally:
        runner.shutdown()
