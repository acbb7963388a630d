"""Test data for solve jobs: small multi-team instances cut from a generated team, loaded into a real
database."""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

from sqlalchemy.orm import Session

from models import core as m
from tests.checks import own_verdict_docs
from tests.paths import load_generated


def team_s() -> dict[str, Any]:
    """The generated one-team instance of size s (two weeks, ~700 visits)."""
    return load_generated()


def cut(doc: dict[str, Any], *, days: int, citizens: int | None = None) -> dict[str, Any]:
    """The first `days` days (and the first `citizens` citizens) of an instance."""
    out = copy.deepcopy(doc)
    out["days"] = days
    keep = {p["id"] for p in out["citizens"][: citizens or len(out["citizens"])]}
    out["citizens"] = [p for p in out["citizens"] if p["id"] in keep]
    out["visits"] = [v for v in out["visits"] if v["day"] < days and v["citizen"] in keep]
    for c in out["carers"]:
        c["shifts"] = [s for s in c["shifts"] if s["day"] < days]
    return out


def multi_team(doc: dict[str, Any], teams: int, *, name: str = "jobs-test") -> dict[str, Any]:
    """`teams` copies of a one-team instance, ids prefixed (A-, B-, ...) and bases moved apart a little:
    teams that share no carers, as a municipality's teams do."""
    out: dict[str, Any] = {k: v for k, v in doc.items() if k not in ("teams", "carers", "citizens", "visits")}
    out["name"] = name
    for key in ("teams", "carers", "citizens", "visits"):
        out[key] = []
    for i in range(teams):
        pre = f"{chr(ord('A') + i)}-"
        shift = 0.02 * i

        def ren(x: str, pre: str = pre) -> str:
            return pre + x

        for t in doc["teams"]:
            out["teams"].append({**t, "id": ren(t["id"]), "lat": t["lat"] + shift})
        for c in doc["carers"]:
            out["carers"].append({**c, "id": ren(c["id"]), "team": ren(c["team"])})
        for p in doc["citizens"]:
            q = {**p, "id": ren(p["id"]), "team": ren(p["team"]), "lat": p["lat"] + shift,
                 "avoid": [ren(a) for a in p.get("avoid", [])]}
            if p.get("contact"):
                q["contact"] = ren(p["contact"])
            out["citizens"].append(q)
        for v in doc["visits"]:
            out["visits"].append({**v, "id": ren(v["id"]), "citizen": ren(v["citizen"])})
    return out


def load_instance(session: Session, doc: dict[str, Any]) -> dict[str, m.Team]:
    """Write an instance's teams, carers, shifts, citizens and visits as rows; returns teams by id."""
    start = dt.date.fromisoformat(doc["start_date"])
    if session.query(m.Municipality).first() is None:
        session.add(m.Municipality(name="Test", max_carers_per_month=doc.get("max_carers_per_month", 12),
                                   travel_speed_kmh=doc["travel"]["speed_kmh"],
                                   travel_detour_factor=doc["travel"]["detour_factor"]))
    teams = {t["id"]: m.Team(external_id=t["id"], name=t["id"], lat=t["lat"], lon=t["lon"])
             for t in doc["teams"]}
    session.add_all(teams.values())
    session.flush()
    carers: dict[str, m.Carer] = {}
    for c in doc["carers"]:
        carer = m.Carer(external_id=c["id"], team_id=teams[c["team"]].id, name=c["id"], skills=c["skills"],
                        contracted_minutes_per_week=c.get("contracted_minutes_per_week"))
        carer.shifts = [m.Shift(date=start + dt.timedelta(days=s["day"]), start=s["start"], end=s["end"])
                        for s in c["shifts"]]
        carers[c["id"]] = carer
    session.add_all(carers.values())
    session.flush()
    citizens: dict[str, m.Citizen] = {}
    for p in doc["citizens"]:
        citizens[p["id"]] = m.Citizen(
            external_id=p["id"], team_id=teams[p["team"]].id, name=p["id"], lat=p["lat"], lon=p["lon"],
            contact_carer_id=carers[p["contact"]].id if p.get("contact") else None,
            avoid_carers=[carers[a] for a in p.get("avoid", [])])
    session.add_all(citizens.values())
    session.flush()
    session.add_all(
        m.Visit(external_id=v["id"], citizen_id=citizens[v["citizen"]].id, kind=v["need"],
                date=start + dt.timedelta(days=v["day"]), earliest=v["earliest"], latest=v["latest"],
                duration=v["duration"], carers=v.get("carers", 1), skills=v.get("skills", []))
        for v in doc["visits"])
    session.flush()
    return teams


def violations(instance: dict[str, Any], plan: dict[str, Any]) -> list[str]:
    """What the planner's final check finds wrong with a plan (empty: feasible)."""
    return own_verdict_docs(instance, plan)[0]
