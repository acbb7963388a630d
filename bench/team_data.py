"""Bench section `team_data`: the team's own data at a municipality's size.

Measures, in a child process on a fresh SQLite file: importing spreadsheets of municipality-xl's size
(20 teams; 1,200 citizens with three standing needs each, 800 carers with a two-week roster pattern),
made up here, through the same read -> dry run -> store path the page uses, which also makes four
weeks of visits and rosters (target: at most 10 s); then one need edited from a date and that citizen's
month of visits regenerated (target: at most 200 ms, the median of 20 edits).

    python -m bench --sections team_data            # municipality size
    python -m bench --sections team_data --quick    # two teams (a smoke run)
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import time
from pathlib import Path
from typing import Any

TITLE = "The team's own data: sheets and edits from a date"
IMPORT_TARGET_S = 10.0
EDIT_TARGET_MS = 200.0
START = dt.date(2030, 1, 7)  # a Monday


def _sheets(team: str, citizens: int, carers: int, rng: random.Random) -> tuple[str, str]:
    carer_rows = ["carer_id,name,skills,contracted_hours,pattern_from,pattern_weeks,week,"
                  "mon,tue,wed,thu,fri,sat,sun"]
    for k in range(carers):
        early = "07:00-15:30"
        late = "13:00-21:30"
        for week in (1, 2):
            days = [early if (k + week + d) % 3 else late if d < 5 or k % 2 else "" for d in range(7)]
            carer_rows.append(f"{team}-c{k:03d},Carer {team} {k},{'insulin' if k % 4 == 0 else ''},"
                              f"37.5,{START},2,{week},{','.join(days)}")
    citizen_rows = ["citizen_id,name,lat,lon,contact_carer,need,weekdays,earliest_start,latest_start,minutes,"
                    "skills,valid_from"]
    for p in range(citizens):
        lat, lon = 62.39 + rng.uniform(-0.03, 0.03), 17.30 + rng.uniform(-0.05, 0.05)
        contact = f"{team}-c{rng.randrange(carers):03d}"
        every_day = "mon;tue;wed;thu;fri;sat;sun"
        for need, a, b, minutes, weekdays in (("morning", "07:00", "08:30", 30, every_day),
                                              ("lunch", "11:30", "12:30", 20, "mon;wed;fri"),
                                              ("evening", "19:00", "20:30", 25, every_day)):
            skill = "insulin" if need == "morning" and p % 10 == 0 else ""
            citizen_rows.append(f"{team}-p{p:03d},Citizen {team} {p},{lat:.5f},{lon:.5f},{contact},{need},"
                                f"{weekdays},{a},{b},{minutes},{skill},{START}")
    return "\n".join(carer_rows) + "\n", "\n".join(citizen_rows) + "\n"


def measure(db_file: str, teams: int, citizens: int, carers: int) -> dict[str, Any]:
    from sqlalchemy import func, select
    from sqlalchemy.orm import Session

    from app.db import make_engine
    from app.migrate import upgrade_head
    from app.schemas.core import NeedChange
    from app.services.team_data import needs as needs_svc
    from app.services.team_data import sheets
    from models.core import ROLE_ADMIN, Need, Shift, Team, User, Visit

    rng = random.Random(0)
    engine = make_engine(f"sqlite:///{db_file}")
    upgrade_head(engine)
    files = [(f"T{t:02d}", *_sheets(f"T{t:02d}", citizens, carers, rng)) for t in range(teams)]
    out: dict[str, Any] = {"teams": teams, "citizens": teams * citizens, "carers": teams * carers}
    with Session(engine) as session:
        rows = [Team(external_id=ext, name=ext, lat=62.39, lon=17.30) for ext, _c, _p in files]
        admin = User(username="bench", password_hash="-", role=ROLE_ADMIN)
        session.add_all([*rows, admin])
        session.commit()
        t0 = time.perf_counter()
        errors = 0
        for team, (_ext, carer_csv, citizen_csv) in zip(rows, files, strict=True):
            for kind, text in ((sheets.KIND_CARERS, carer_csv), (sheets.KIND_CITIZENS, citizen_csv)):
                sheet = sheets.read_sheet(kind, text.encode(), f"{kind}.csv")
                plan = sheets.plan_import(session, sheet=sheet, team=team, effective=START, today=START)
                errors += len(plan.errors)
                sheets.apply_import(session, plan=plan, user=admin)
        session.commit()
        out["import_s"] = time.perf_counter() - t0
        out["sheet_errors"] = errors
        out["visits"] = session.scalar(select(func.count()).select_from(Visit))
        out["shifts"] = session.scalar(select(func.count()).select_from(Shift))

        needs = list(session.scalars(select(Need).where(Need.kind == "morning").limit(20)))
        times = []
        for i, need in enumerate(needs):
            t = time.perf_counter()
            needs_svc.change_need(session, need=need, data=NeedChange(
                from_date=START + dt.timedelta(days=1 + i % 5), earliest=450, latest=540), user=admin)
            session.flush()
            times.append((time.perf_counter() - t) * 1000)
        session.rollback()
        out["edit_ms_median"] = statistics.median(times)
        out["edit_ms_max"] = max(times)
    engine.dispose()
    return out


def run(args: argparse.Namespace) -> tuple[dict[str, Any], str]:
    from bench.common import md_table, run_in_child

    quick = bool(getattr(args, "quick", False))
    teams, citizens, carers = (2, 60, 40) if quick else (20, 60, 40)
    work = Path(getattr(args, "results_dir", Path("bench/results"))) / "team_data"
    work.mkdir(parents=True, exist_ok=True)
    db_file = work / "team_data.db"
    db_file.unlink(missing_ok=True)
    run_ = run_in_child(measure, str(db_file), teams, citizens, carers, timeout=900)
    db_file.unlink(missing_ok=True)
    if not run_.ok:
        last_line = run_.error.strip().splitlines()[-1]
        return {"ok": False, "error": run_.error}, f"**FAIL**: did not finish: `{last_line}`"
    r = dict(run_.result)
    r.update(ok=True, peak_rss_mib=round(run_.peak_rss_mib, 1), quick=quick)
    r["import_pass"] = r["import_s"] <= IMPORT_TARGET_S
    r["edit_pass"] = r["edit_ms_median"] <= EDIT_TARGET_MS
    md = md_table(["teams", "citizens", "carers", "visits made", "shifts made", "sheet errors", "import s",
                   "need edit + month ms (median / max)", "peak MiB"],
                  [[r["teams"], f"{r['citizens']:,}", f"{r['carers']:,}", f"{r['visits']:,}",
                    f"{r['shifts']:,}",
                    r["sheet_errors"], f"{r['import_s']:.1f}",
                    f"{r['edit_ms_median']:.0f} / {r['edit_ms_max']:.0f}", f"{r['peak_rss_mib']:.0f}"]])
    md += (f"\n\nTarget: the sheets imported with their visits in at most {IMPORT_TARGET_S:.0f} s: "
           f"**{'PASS' if r['import_pass'] else 'FAIL'}** ({r['import_s']:.1f} s). "
           f"One need edited and its month regenerated in at most {EDIT_TARGET_MS:.0f} ms: "
           f"**{'PASS' if r['edit_pass'] else 'FAIL'}** ({r['edit_ms_median']:.0f} ms median).")
    for k in ("import_s", "edit_ms_median", "edit_ms_max"):
        r[k] = round(r[k], 3)
    return r, md


if __name__ == "__main__":
    res, text = run(argparse.Namespace(quick=False, results_dir=Path("bench/results")))
    print(text)
