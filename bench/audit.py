"""Bench section for the continuity audit (issue 6): how long a month's audit takes on municipality-xl.

The audit needs a plan to count. Until the real planner is used here, `greedy_plan` makes a feasible one
(the verifier accepts it): visits in order of day and window, each to the first carer of the citizen's team
who is free, holds the skills, is not avoided and keeps the monthly cap, preferring the contact carer and
carers the citizen already met. It is deliberately simple; it exists so the audit has something to count.

Run on its own: ``.venv/bin/python -m bench.audit [INSTANCE]`` (default municipality-xl).
"""

from __future__ import annotations

import datetime as dt
import json
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from solver.travel import Travel
from solver.types import TravelSpec

TARGET_SECONDS = 10.0


def _travel(instance: Mapping[str, Any]) -> Travel:
    t = instance.get("travel") or {}
    m = t.get("matrix")
    spec = TravelSpec(
        speed_kmh=float(t.get("speed_kmh", 18.0)),
        detour_factor=float(t.get("detour_factor", 1.3)),
        matrix_points=tuple(m["points"]) if m else None,
        matrix_minutes=tuple(tuple(r) for r in m["minutes"]) if m else None,
    )
    points = {x["id"]: (x["lat"], x["lon"]) for x in instance["teams"]}
    points.update({p["id"]: (p["lat"], p["lon"]) for p in instance["citizens"]})
    return Travel(spec, points)


def greedy_plan(instance: Mapping[str, Any]) -> dict[str, Any]:
    """A feasible homecare-plan/1 for `instance` by a one-pass greedy (see the module doc)."""
    travel = _travel(instance)
    start_date = dt.date.fromisoformat(instance["start_date"])
    cap = int(instance.get("max_carers_per_month", 12))
    citizens = {p["id"]: p for p in instance["citizens"]}
    carers_by_team: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for c in instance["carers"]:
        carers_by_team[c["team"]].append(c)
    skills = {c["id"]: set(c.get("skills") or ()) for c in instance["carers"]}
    base = {c["id"]: c["team"] for c in instance["carers"]}
    # carer -> day -> list of [shift_start, shift_end, free_at, here]
    state: dict[str, dict[int, list[list[Any]]]] = defaultdict(dict)
    for c in instance["carers"]:
        for s in c.get("shifts", []):
            state[c["id"]].setdefault(int(s["day"]), []).append(
                [int(s["start"]), int(s["end"]), int(s["start"]), c["team"]]
            )
    met: dict[tuple[str, tuple[int, int]], set[str]] = defaultdict(set)
    met_ever: dict[str, set[str]] = defaultdict(set)

    def slot(
        carer: str, day: int, loc: str, earliest: int, latest: int, dur: int
    ) -> tuple[int, list[Any]] | None:
        for sh in state[carer].get(day, ()):
            s_start, s_end, free, here = sh
            t = max(earliest, free + travel.minutes(here, loc), s_start)
            if t <= latest and t + dur + travel.minutes(loc, base[carer]) <= s_end:
                return t, sh
        return None

    out, unassigned = [], []
    for v in sorted(instance["visits"], key=lambda v: (v["day"], v["earliest"], v["latest"], v["id"])):
        p = citizens[v["citizen"]]
        day = int(v["day"])
        d = start_date + dt.timedelta(days=day)
        month = (d.year, d.month)
        need = set(v.get("skills") or ())
        avoid = set(p.get("avoid") or ())
        seen = met[(p["id"], month)]
        contact = p.get("contact")

        def rank(
            c: dict[str, Any], contact: Any = contact, seen: set[str] = seen, pid: str = p["id"]
        ) -> tuple:
            return (c["id"] != contact, c["id"] not in seen, c["id"] not in met_ever[pid], c["id"])

        cands = [
            c["id"]
            for c in sorted(carers_by_team[p["team"]], key=rank)
            if c["id"] not in avoid and need <= skills[c["id"]]
        ]
        k = int(v.get("carers", 1))
        chosen: list[tuple[str, int, list[Any]]] = []
        feasible: list[tuple[str, int]] = []  # candidates free within the window, for pairing
        for cid in cands:
            if cid not in seen and len(seen) + 1 > cap:
                continue
            got = slot(cid, day, p["id"], v["earliest"], v["latest"], v["duration"])
            if got is None:
                continue
            if k == 1:
                chosen = [(cid, *got)]
                break
            for other, t_other in feasible:
                if cid not in seen and other not in seen and len(seen) + 2 > cap:
                    continue
                t = max(t_other, got[0])  # two carers start together
                a = slot(cid, day, p["id"], t, t, v["duration"])
                b = slot(other, day, p["id"], t, t, v["duration"])
                if a and b:
                    chosen = [(other, *b), (cid, *a)]
                    break
            if chosen:
                break
            feasible.append((cid, got[0]))
        if not chosen:
            unassigned.append(
                {"id": v["id"], "reason": "greedy: no free carer with the skills within the window"}
            )
            continue
        start = chosen[0][1]
        for cid, _, sh in chosen:
            sh[2] = start + int(v["duration"])
            sh[3] = p["id"]
            seen.add(cid)
            met_ever[p["id"]].add(cid)
        out.append({"id": v["id"], "carers": [c for c, _, _ in chosen], "start": start})
    return {
        "format": "homecare-plan/1",
        "instance": instance.get("name"),
        "visits": out,
        "unassigned": unassigned,
    }


def plan_for(
    instance_name: str, instance: Mapping[str, Any], results_dir: Path | None = None
) -> tuple[dict[str, Any], str]:
    """A plan to audit: one the planner section left in <results>/plans/ (our planner's first), else the
    greedy above."""
    plans = (results_dir or Path(__file__).resolve().parent / "results") / "plans"
    found = sorted(plans.glob(f"{instance_name}-*.json")) if plans.is_dir() else []
    found.sort(key=lambda p: (not p.stem.endswith("-ours"),  # seed 0 before our other runs
                              not any(k in p.stem for k in ("homecare", "ours", "our")), p.name))
    for p in found:
        try:
            doc = json.loads(p.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError):
            continue
        if doc.get("format") == "homecare-plan/1" and doc.get("visits"):
            return doc, str(p)
    return greedy_plan(instance), "greedy (bench/audit.py)"


def measure(
    instance_name: str = "municipality-xl", results_dir: Path | None = None, check_verifier: bool = True
) -> dict[str, Any]:
    """Time a month's audit of `instance_name`: from the plan, and from the plan written as a performed
    CSV (parse, validate, link, count); then the HTML report. Figures are checked against the verifier."""
    from app.audit import files as sf
    from app.audit.report import render_html
    from bench.common import instance_path, load_instance, verify

    instance = load_instance(instance_name)
    plan, plan_source = plan_for(instance_name, instance, results_dir)
    first = dt.date.fromisoformat(instance["start_date"])
    month = (first.year, first.month)
    result: dict[str, Any] = {
        "instance": instance_name,
        "plan": plan_source,
        "assigned": len(plan["visits"]),
        "unassigned": len(plan["unassigned"]),
    }
    t0, c0 = time.perf_counter(), time.process_time()
    planned = sf.audit_plan_files(instance, plan, month=month)
    result["planned_seconds"] = round(time.perf_counter() - t0, 2)
    result["planned_cpu_seconds"] = round(time.process_time() - c0, 2)
    with tempfile.TemporaryDirectory() as tmp:
        csv_path = Path(tmp) / "performed.csv"
        plan_path = Path(tmp) / "plan.json"
        plan_path.write_text(json.dumps(plan), encoding="utf-8")
        sf.write_plan_as_performed(instance, plan, csv_path)
        t0, c0 = time.perf_counter(), time.process_time()
        performed = sf.audit_performed_file(csv_path, instance=instance, plan=plan, month=month)
        result["performed_seconds"] = round(time.perf_counter() - t0, 2)
        result["performed_cpu_seconds"] = round(time.process_time() - c0, 2)
        t0 = time.perf_counter()
        html = render_html(performed["audit"], performed["figures"])
        result["html_seconds"] = round(time.perf_counter() - t0, 2)
        result["html_kb"] = round(len(html.encode()) / 1024)
        whole = sf.audit_performed_file(csv_path)["figures"]  # file alone, all rows: the verifier's way
        if check_verifier:
            verdict = verify(instance_path(instance_name), plan_path)
            keys = ("distinct_carers_per_citizen_month", "distinct_carers_per_citizen_14d")
            result["verifier_valid"] = verdict.valid
            result["equals_verifier"] = all(
                {k: whole[key][k] for k in verdict.figures.get(key, {})} == verdict.figures.get(key)
                for key in keys
            )
    result["visits"] = planned["figures"]["visits"]
    result["distinct_carers_month"] = planned["figures"]["distinct_carers_per_citizen_month"]
    result["distinct_carers_14d"] = planned["figures"]["distinct_carers_per_citizen_14d"]
    result["within_target"] = max(result["planned_seconds"], result["performed_seconds"]) <= TARGET_SECONDS
    return result


def _load_into_database(url: str, instance: Mapping[str, Any], plan: Mapping[str, Any]) -> int:
    """A fresh database (migrations) holding the instance and the plan as version 1; returns its id.
    Bulk inserts, so the timing below measures the audit rather than the loading."""
    from sqlalchemy import insert, select

    from app.db import make_engine
    from app.migrate import upgrade_head
    from models import core as m

    engine = make_engine(url)
    upgrade_head(engine)
    start = dt.date.fromisoformat(instance["start_date"])
    with engine.begin() as conn:
        conn.execute(
            insert(m.Team),
            [
                {"external_id": t["id"], "name": t["id"], "lat": t["lat"], "lon": t["lon"]}
                for t in instance["teams"]
            ],
        )
        team = dict(conn.execute(select(m.Team.external_id, m.Team.id)).all())
        conn.execute(
            insert(m.Carer),
            [
                {
                    "external_id": c["id"],
                    "team_id": team[c["team"]],
                    "name": c["id"],
                    "skills": c.get("skills", []),
                }
                for c in instance["carers"]
            ],
        )
        carer = dict(conn.execute(select(m.Carer.external_id, m.Carer.id)).all())
        conn.execute(
            insert(m.Citizen),
            [
                {
                    "external_id": p["id"],
                    "team_id": team[p["team"]],
                    "name": p["id"],
                    "lat": p["lat"],
                    "lon": p["lon"],
                    "contact_carer_id": carer.get(p.get("contact")),
                    "birth_year": 1940,
                }
                for p in instance["citizens"]
            ],
        )
        citizen = dict(conn.execute(select(m.Citizen.external_id, m.Citizen.id)).all())
        conn.execute(
            insert(m.Visit),
            [
                {
                    "external_id": v["id"],
                    "citizen_id": citizen[v["citizen"]],
                    "kind": v["need"],
                    "date": start + dt.timedelta(days=v["day"]),
                    "earliest": v["earliest"],
                    "latest": v["latest"],
                    "duration": v["duration"],
                    "carers": v.get("carers", 1),
                    "skills": v.get("skills", []),
                    "status": "planned",
                }
                for v in instance["visits"]
            ],
        )
        visit = dict(conn.execute(select(m.Visit.external_id, m.Visit.id)).all())
        plan_id = conn.execute(
            insert(m.Plan)
            .values(
                external_id="bench",
                name=str(instance.get("name")),
                start_date=start,
                end_date=start + dt.timedelta(days=int(instance["days"]) - 1),
                created_at=dt.datetime.now(dt.UTC),
            )
            .returning(m.Plan.id)
        ).scalar_one()
        conn.execute(insert(m.plan_teams), [{"plan_id": plan_id, "team_id": i} for i in team.values()])
        version_id = conn.execute(
            insert(m.PlanVersion)
            .values(
                plan_id=plan_id,
                number=1,
                status="accepted",
                created_at=dt.datetime.now(dt.UTC),
                inputs={},
                stats={},
            )
            .returning(m.PlanVersion.id)
        ).scalar_one()
        conn.execute(
            insert(m.Assignment),
            [
                {
                    "plan_version_id": version_id,
                    "visit_id": visit[a["id"]],
                    "start": a["start"],
                    "pinned": False,
                }
                for a in plan["visits"]
            ],
        )
        assignment = dict(conn.execute(select(m.Assignment.visit_id, m.Assignment.id)).all())
        conn.execute(
            insert(m.assignment_carers),
            [
                {"assignment_id": assignment[visit[a["id"]]], "carer_id": carer[c]}
                for a in plan["visits"]
                for c in a["carers"]
            ],
        )
    engine.dispose()
    return int(version_id)


def measure_database(
    instance_name: str = "municipality-xl", results_dir: Path | None = None
) -> dict[str, Any]:
    """The same month's audit through the database (SQLite file): import the performed CSV through the
    service (validation against stored ids), then figures from the plan version and from performed visits."""
    from sqlalchemy.orm import Session

    from app.audit import files as sf
    from app.db import make_engine
    from app.services import audit as service
    from bench.common import load_instance

    instance = load_instance(instance_name)
    plan, plan_source = plan_for(instance_name, instance, results_dir)
    first = dt.date.fromisoformat(instance["start_date"])
    month = f"{first.year}-{first.month:02d}"
    out: dict[str, Any] = {"instance": instance_name, "plan": plan_source}
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/bench.db"
        t0 = time.perf_counter()
        version_id = _load_into_database(url, instance, plan)
        out["load_seconds"] = round(time.perf_counter() - t0, 2)
        text = sf.write_plan_as_performed(instance, plan, None)
        assert isinstance(text, str)
        engine = make_engine(url)
        with Session(engine) as session:
            t0 = time.perf_counter()
            imported = service.import_performed(session, content=text.encode(), filename="performed.csv")
            session.commit()
            out["import_seconds"] = round(time.perf_counter() - t0, 2)
            out["imported_rows"] = imported.created
        for label, kwargs in (
            ("db_plan_seconds", {"source": "plan", "plan_version_id": version_id}),
            ("db_performed_seconds", {"source": "performed", "plan_version_id": version_id}),
        ):
            with Session(engine) as session:
                t0 = time.perf_counter()
                result = service.run(session, month=month, **kwargs)  # type: ignore[arg-type]
                out[label] = round(time.perf_counter() - t0, 2)
                out[label.replace("seconds", "mean_distinct_month")] = result.figures[
                    "distinct_carers_per_citizen_month"
                ]["mean"]
        engine.dispose()
    return out


TITLE = "Continuity audit"


def run(args: Any) -> tuple[dict[str, Any], str]:
    """Bench section: a month's audit per instance (target: municipality-xl within 10 s)."""
    from bench.common import md_table

    names = list(args.instances)
    if not args.quick and "municipality-xl" not in names:
        names.append("municipality-xl")
    results: dict[str, Any] = {}
    rows = []
    lines = []
    for name in names:
        try:
            r = measure(name, Path(args.results_dir), check_verifier=True)
        except Exception as e:  # a section reports failures instead of raising
            results[name] = {"error": repr(e)}
            lines.append(f"- {name}: FAIL ({e!r})")
            continue
        if name == "municipality-xl" and not args.quick:
            try:
                r["database"] = measure_database(name, Path(args.results_dir))
            except Exception as e:  # report, do not raise
                r["database"] = {"error": repr(e)}
        results[name] = r
        rows.append(
            [
                name,
                r["plan"],
                r["visits"],
                r["planned_seconds"],
                r["performed_seconds"],
                f"{r['planned_cpu_seconds']} / {r['performed_cpu_seconds']}",
                r["html_seconds"],
                r["distinct_carers_month"]["mean"],
                r.get("equals_verifier"),
            ]
        )
        if name == "municipality-xl":
            worst = max(r["planned_seconds"], r["performed_seconds"])
            lines.append(
                f"- Target: a month's audit of municipality-xl within {TARGET_SECONDS:g} s: "
                f"{'PASS' if worst <= TARGET_SECONDS else 'FAIL'} ({worst} s)"
            )
            db = r.get("database") or {}
            if "db_performed_seconds" in db:
                worst_db = max(db["db_plan_seconds"], db["db_performed_seconds"])
                lines.append(
                    f"- Through the database (SQLite): from the plan version {db['db_plan_seconds']} s, from "
                    f"performed visits with plan versus reality {db['db_performed_seconds']} s: "
                    f"{'PASS' if worst_db <= TARGET_SECONDS else 'FAIL'}; importing {db['imported_rows']:,} "
                    f"performed rows through the service {db['import_seconds']} s"
                )
            elif db:
                lines.append(f"- Through the database: FAIL ({db.get('error')})")
        lines.append(
            f"- {name}: figures equal the verifier's: {'PASS' if r.get('equals_verifier') else 'FAIL'}"
        )
    table = md_table(
        [
            "instance",
            "plan",
            "visits",
            "audit from plan (s)",
            "audit from performed CSV (s)",
            "CPU s (plan / performed)",
            "HTML report (s)",
            "mean distinct carers / month",
            "equals verifier",
        ],
        rows,
    )
    lines.append(
        "- Times are wall-clock on a shared 2-core machine; CPU seconds show the audit's own cost "
        "when other work competes for the cores."
    )
    return results, table + "\n\n" + "\n".join(lines)


if __name__ == "__main__":
    name = sys.argv[1] if len(sys.argv) > 1 else "municipality-xl"
    print(json.dumps({**measure(name), "database": measure_database(name)}, indent=2))
