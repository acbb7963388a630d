"""A demo site for the web tests: a fresh SQLite file with the foundation's demo municipality, an accepted
plan per team (made by the planner through app.mapping), and uvicorn serving it on a free loopback port.

Also finds the cases the stories need (a carer with visits on a re-plan day; a visit whose hand move to
another carer would break the monthly cap and nothing else) with the project's own rule checker.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import socket
import subprocess
import sys
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

PROJECT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# The stories' plans are counted in search steps, not seconds, so every machine builds the same plan and
# the cases found in it (a sick carer's day, a move that breaks only the cap) exist everywhere: with a
# 3 s limit a slower or busier machine once planned a team with no such move. The limit only guards.
SOLVE_STEPS = 150
SOLVE_SECONDS_AT_MOST = 120.0


@dataclass
class CapCase:
    """A hand move (visit -> carers at start) that breaks the monthly cap and no other rule."""

    team_id: int
    visit: str
    carers: list[str]
    start: int
    carer_name: str
    cap: int


@dataclass
class SickCase:
    team_id: int
    carer_id: int
    carer_name: str
    day: dt.date
    visits: int


@dataclass
class DemoSite:
    db_path: Path
    url: str  # sqlite URL
    start: dt.date
    password: str
    teams: dict[str, int]  # name -> id
    logins: dict[str, str]  # role-ish username -> role
    names: list[str]  # every carer and citizen name (the auditor must see none)
    sick: SickCase
    cap: CapCase
    extra: dict[str, Any] = field(default_factory=dict)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _plan_team(session: Session, team_id: int, start: dt.date, end: dt.date) -> None:
    from app.mapping import accept_plan_version, build_problem, store_plan_version
    from solver import types as st
    from solver.solve import solve

    problem = build_problem(session, team_ids=[team_id], start=start, end=end)
    plan = solve(problem, st.SolveParams(time_limit=SOLVE_SECONDS_AT_MOST, seed=0, workers=1,
                                         max_iterations=SOLVE_STEPS))
    version = store_plan_version(
        session, team_ids=[team_id], start=start, end=end, plan=plan, inputs={"source": "tests/web"}
    )
    accept_plan_version(session, version=version, user=None)


def _sick_case(session: Session, team_id: int, day: dt.date) -> SickCase:
    from models.core import Assignment, Carer, PlanVersion, Visit, assignment_carers

    rows = session.execute(
        select(assignment_carers.c.carer_id, Carer.name)
        .join(Assignment, Assignment.id == assignment_carers.c.assignment_id)
        .join(PlanVersion, PlanVersion.id == Assignment.plan_version_id)
        .join(Visit, Visit.id == Assignment.visit_id)
        .join(Carer, Carer.id == assignment_carers.c.carer_id)
        .where(PlanVersion.status == "accepted", Visit.date == day, Carer.team_id == team_id)
    ).all()
    count: dict[tuple[int, str], int] = defaultdict(int)
    for cid, name in rows:
        count[(cid, name)] += 1
    (cid, name), n = max(count.items(), key=lambda kv: (kv[1], -kv[0][0]))
    return SickCase(team_id=team_id, carer_id=cid, carer_name=name, day=day, visits=n)


def _cap_case(session: Session, team_id: int, start: dt.date, end: dt.date) -> CapCase:
    """Set the team's cap to its highest distinct-carer count (so the plan still keeps it), then find a
    visit of a citizen at that count whose move to a carer not yet met breaks the cap and only the cap."""
    from app.mapping import build_problem
    from app.replan.hand_move import check_move
    from models.core import Carer, Team
    from solver import types as st

    problem = build_problem(session, team_ids=[team_id], start=start, end=end)
    visits = {v.id: v for v in problem.visits}
    met: dict[tuple[str, tuple[int, int]], set[str]] = defaultdict(set)
    for a in problem.current:
        v = visits[a.visit]
        met[(v.citizen, problem.month_of(v.day))].update(a.carers)
    cap = max(len(s) for s in met.values())
    loose = dataclasses.replace(problem, max_carers_per_month=99)
    tight = dataclasses.replace(problem, max_carers_per_month=cap)
    names = dict(session.execute(select(Carer.external_id, Carer.name)).all())
    at_cap = {k for k, s in met.items() if len(s) == cap}
    for a in sorted(problem.current, key=lambda a: a.visit):
        v = visits[a.visit]
        key = (v.citizen, problem.month_of(v.day))
        if key not in at_cap or v.carers != 1 or v.day < 3:
            continue
        for carer in problem.carers:
            if carer.id in met[key]:
                continue
            move = st.Assignment(visit=a.visit, carers=(carer.id,), start=a.start)
            if not check_move(loose, problem.current, move).ok:
                continue
            if check_move(tight, problem.current, move).rules == ["monthly_cap"]:
                team = session.get_one(Team, team_id)
                team.max_carers_per_month = cap
                session.flush()
                return CapCase(
                    team_id=team_id,
                    visit=a.visit,
                    carers=[carer.id],
                    start=a.start,
                    carer_name=names[carer.id],
                    cap=cap,
                )
    raise RuntimeError("no hand move found that breaks only the cap")


def build_site(directory: Path) -> DemoSite:
    from app.db import make_engine
    from app.demo import DEMO_PASSWORD, demo_logins, seed_demo
    from app.migrate import upgrade_head
    from models.core import Carer, Citizen, Team

    db_path = directory / "web.db"
    url = f"sqlite:///{db_path}"
    engine = make_engine(url)
    upgrade_head(engine)
    today = dt.date.today()
    start = today - dt.timedelta(days=today.weekday())
    with Session(engine) as session:
        info = seed_demo(session, start=start)
        session.flush()
        end = info.start + dt.timedelta(days=info.days - 1)
        teams = dict(session.execute(select(Team.name, Team.id).order_by(Team.id)).all())
        ordered = list(teams.values())
        for tid in ordered[:2]:  # the teams the stories use; the third stays unplanned (an empty rota)
            _plan_team(session, tid, info.start, end)
        sick = _sick_case(session, ordered[0], info.start + dt.timedelta(days=2))
        cap = _cap_case(session, ordered[1], info.start, end)
        names = [n for (n,) in session.execute(select(Carer.name))] + [
            n for (n,) in session.execute(select(Citizen.name))
        ]
        session.commit()
    engine.dispose()
    return DemoSite(
        db_path=db_path,
        url=url,
        start=info.start,
        password=DEMO_PASSWORD,
        teams=teams,
        logins={d.username: d.role for d in demo_logins()},
        names=names,
        sick=sick,
        cap=cap,
    )


class Server:
    """uvicorn serving app.main:app on the site's database, in a child process."""

    def __init__(self, site: DemoSite) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        env = dict(os.environ, DATABASE_URL=site.url, PYTHONUNBUFFERED="1")
        env.pop("CELERY_BROKER_URL", None)  # jobs run in-process: the tests need no broker
        self.log = site.db_path.with_suffix(".log").open("w")
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "app.main:app",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--log-level",
                "warning",
            ],
            cwd=PROJECT,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"uvicorn exited with {self.proc.returncode}; see {self.log.name}")
            try:
                socket.create_connection(("127.0.0.1", self.port), 0.2).close()
                return
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError("uvicorn did not start within 60 s")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()
