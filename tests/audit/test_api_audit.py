"""Over the API: a coordinator imports what was actually performed and audits it against the plan; the
municipality's auditor sees the same figures under pseudonyms, never a name, an address or a note.
Runs on SQLite and PostgreSQL (the shared `db_session` fixtures)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models import core as m
from models.performed import PerformedImport, PerformedVisit

DAY = dt.date(2026, 12, 1)


def _setup(make: Any, team: m.Team, days: int = 3) -> dict[str, Any]:
    """Two citizens, three carers, a morning and an evening visit a day; plan: c1 mornings, c2 evenings."""
    carers = [make.carer(team, name=f"Anna Andersson {i}") for i in range(3)]
    p1 = make.citizen(
        team,
        name="Greta Gustafsson",
        address="Bergsgatan 9",
        notes="dog bites",
        birth_year=1938,
        contact_carer_id=carers[0].id,
    )
    p2 = make.citizen(
        team, name="Olle Olsson", address="Sjögatan 2", notes="hard of hearing", birth_year=1950
    )
    visits = []
    for d in range(days):
        date = DAY + dt.timedelta(days=d)
        for p in (p1, p2):
            visits.append(make.visit(p, kind="morning", date=date, earliest=420, latest=540, duration=30))
            visits.append(make.visit(p, kind="evening", date=date, earliest=1080, latest=1200, duration=30))
    # Committed as a real set-up would be: a refused request's rollback must not take the set-up with it.
    make.session.commit()
    return {"carers": carers, "citizens": [p1, p2], "visits": visits}


def _csv(rows: list[tuple[str, str, str, str, str]]) -> bytes:
    return ("citizen,carer,start,end,visit\n" + "".join(",".join(r) + "\n" for r in rows)).encode()


def _performed_as_planned(world: dict[str, Any], substitute_on_last_evening: bool = False) -> bytes:
    c = world["carers"]
    rows = []
    p1, p2 = world["citizens"]
    morning_slot = {p1.id: "07:30", p2.id: "08:15"}  # c1 goes from p1 to p2
    evening_slot = {p1.id: "18:00", p2.id: "18:45"}
    for v in world["visits"]:
        start = morning_slot[v.citizen_id] if v.kind == "morning" else evening_slot[v.citizen_id]
        s = dt.datetime.fromisoformat(f"{v.date}T{start}")
        e = s + dt.timedelta(minutes=30 if v.kind == "morning" else 40)  # evenings take 10 min longer
        carer = c[0] if v.kind == "morning" else c[1]
        if substitute_on_last_evening and v is world["visits"][-1]:
            carer = c[2]
        cit = next(p for p in world["citizens"] if p.id == v.citizen_id)
        rows.append(
            (
                cit.external_id,
                carer.external_id,
                s.isoformat(timespec="minutes"),
                e.isoformat(timespec="minutes"),
                v.external_id,
            )
        )
    return _csv(rows)


def _upload(client: TestClient, headers: dict[str, str], content: bytes, name: str = "performed.csv") -> Any:
    return client.post("/api/audit/performed", files={"file": (name, content, "text/csv")}, headers=headers)


def _count(session: Session, model: Any) -> int:
    return int(session.scalar(select(func.count()).select_from(model)) or 0)


def test_coordinator_imports_performed_visits_and_sees_the_figures(
    client: TestClient, make: Any, team_a: m.Team, headers: dict[str, dict[str, str]], db_session: Session
) -> None:
    world = _setup(make, team_a)

    r = _upload(client, headers["coordinator"], _performed_as_planned(world))

    assert r.status_code == 200, r.text
    assert r.json()["created"] == 12 and r.json()["unchanged"] == 0
    assert _count(db_session, PerformedVisit) == 12
    f = client.get(
        "/api/audit/figures", params={"team": "TA", "month": "2026-12"}, headers=headers["coordinator"]
    ).json()
    assert f["distinct_carers_per_citizen_month"] == {"mean": 2.0, "median": 2.0, "p90": 2, "max": 2}
    assert f["visits"] == 12
    assert f["contact_carer_share"] == 0.5  # p1's contact (c1) makes the mornings
    need = f["standard_minutes"]["needs"]
    assert need["morning"]["within_5_min_share"] == 1.0 and need["evening"]["difference_median"] == 10


def test_importing_the_same_file_twice_changes_nothing(
    client: TestClient, make: Any, team_a: m.Team, headers: dict[str, dict[str, str]], db_session: Session
) -> None:
    world = _setup(make, team_a)
    content = _performed_as_planned(world)
    first = _upload(client, headers["coordinator"], content).json()
    before = sorted(
        db_session.execute(select(PerformedVisit.id, PerformedVisit.start, PerformedVisit.end)).all()
    )

    second = _upload(client, headers["coordinator"], content)

    assert second.status_code == 200
    assert second.json() == {**first, "created": 0, "unchanged": 12, "already_imported": True}
    after = sorted(
        db_session.execute(select(PerformedVisit.id, PerformedVisit.start, PerformedVisit.end)).all()
    )
    assert after == before
    assert _count(db_session, PerformedImport) == 1


def test_bad_rows_are_listed_with_line_numbers_and_nothing_is_stored(
    client: TestClient, make: Any, team_a: m.Team, headers: dict[str, dict[str, str]], db_session: Session
) -> None:
    world = _setup(make, team_a)
    p1, p2 = (p.external_id for p in world["citizens"])
    c1, c2, _ = (c.external_id for c in world["carers"])
    content = _csv(
        [
            (p1, c1, "2026-12-01T07:30", "2026-12-01T08:00", ""),  # line 2: fine
            ("nobody", c1, "2026-12-01T09:00", "2026-12-01T09:30", ""),  # 3: unknown citizen
            (p1, c2, "2026-12-01T10:00", "2026-12-01T09:30", ""),  # 4: end before start
            (p2, c1, "2026-12-01T07:45", "2026-12-01T08:15", ""),  # 5: c1 in two places at once (line 2)
            (p1, c1, "2026-12-01T07:30", "2026-12-01T08:00", ""),  # 6: duplicate of line 2
            (p2, c2, "2026-12-01 25:00", "2026-12-01T08:00", ""),  # 7: malformed date-time
        ]
    )

    r = _upload(client, headers["coordinator"], content)

    assert r.status_code == 422
    detail = r.json()["detail"]
    assert sorted({d["line"] for d in detail}) == [3, 4, 5, 6, 7]
    text = " ".join(d["msg"] for d in detail)
    for phrase in (
        "unknown citizen",
        "before it starts",
        "two places at once",
        "duplicate of line 2",
        "malformed",
    ):
        assert phrase in text
    assert _count(db_session, PerformedVisit) == 0
    assert _count(db_session, PerformedImport) == 0


def test_a_new_file_clashing_with_stored_visits_is_refused(
    client: TestClient, make: Any, team_a: m.Team, headers: dict[str, dict[str, str]], db_session: Session
) -> None:
    world = _setup(make, team_a)
    assert _upload(client, headers["coordinator"], _performed_as_planned(world)).status_code == 200
    p2 = world["citizens"][1].external_id
    c1 = world["carers"][0].external_id

    r = _upload(client, headers["coordinator"], _csv([(p2, c1, "2026-12-01T07:40", "2026-12-01T07:50", "")]))

    assert r.status_code == 422
    assert r.json()["detail"][0]["line"] == 2 and "stored visit" in r.json()["detail"][0]["msg"]
    assert _count(db_session, PerformedVisit) == 12


def _plan_version(make: Any, db_session: Session, team: m.Team, world: dict[str, Any]) -> m.PlanVersion:
    plan = m.Plan(
        external_id="plan-dec",
        name="December",
        start_date=DAY,
        end_date=DAY + dt.timedelta(days=2),
        teams=[team],
    )
    version = m.PlanVersion(plan=plan, number=1)
    db_session.add_all([plan, version])
    db_session.flush()
    c = world["carers"]
    p1 = world["citizens"][0]
    for v in world["visits"]:
        start = (
            (450 if v.citizen_id == p1.id else 495)
            if v.kind == "morning"
            else (1080 if v.citizen_id == p1.id else 1125)
        )
        db_session.add(
            m.Assignment(
                plan_version_id=version.id,
                visit_id=v.id,
                start=start,
                carers=[c[0] if v.kind == "morning" else c[1]],
            )
        )
    db_session.flush()
    return version


def test_figures_from_a_plan_version_and_plan_versus_reality(
    client: TestClient, make: Any, team_a: m.Team, headers: dict[str, dict[str, str]], db_session: Session
) -> None:
    world = _setup(make, team_a)
    version = _plan_version(make, db_session, team_a, world)
    _upload(client, headers["coordinator"], _performed_as_planned(world, substitute_on_last_evening=True))

    planned = client.get(
        "/api/audit/figures",
        params={"source": "plan", "plan_version": version.id},
        headers=headers["coordinator"],
    ).json()
    reality = client.get(
        "/api/audit/figures",
        params={"plan_version": version.id, "month": "2026-12"},
        headers=headers["coordinator"],
    ).json()

    assert planned["source"] == "plan" and planned["distinct_carers_per_citizen_month"]["max"] == 2
    pr = reality["plan_vs_reality"]
    assert pr["planned_visits"] == 12 and pr["performed_as_planned"] == 11
    assert pr["performed_by_other_carers"] == 1 and pr["substitutions_bringing_new_faces"] == 1
    assert pr["continuity_cost"]["extra_carers_total"] == 1
    assert reality["distinct_carers_per_citizen_month"]["max"] == 3


def test_auditors_answers_hold_no_name_address_or_note(
    client: TestClient, make: Any, team_a: m.Team, headers: dict[str, dict[str, str]], db_session: Session
) -> None:
    world = _setup(make, team_a)
    _upload(client, headers["coordinator"], _performed_as_planned(world))
    secret = [
        "Greta",
        "Gustafsson",
        "Olle",
        "Olsson",
        "Bergsgatan",
        "Sjögatan",
        "dog bites",
        "hard of hearing",
        "Anna Andersson",
    ]
    secret += [p.external_id for p in world["citizens"]] + [c.external_id for c in world["carers"]]
    secret += [v.external_id for v in world["visits"]]

    answers = [
        client.get(path, params={"month": "2026-12"}, headers=headers["auditor"])
        for path in ("/api/audit/figures", "/api/audit/export.csv", "/api/audit/report.html")
    ]

    for a in answers:
        assert a.status_code == 200, a.text
        for word in secret:
            assert word not in a.text, word
    table = client.get("/api/audit/figures", params={"per_citizen": True}, headers=headers["auditor"])
    assert table.status_code == 200 and len(table.json()["per_citizen"]) == 4  # 2 citizens x (month, 14 d)
    for word in secret:
        assert word not in table.text, word
    figures = answers[0].json()
    assert figures["pseudonymised"] is True
    assert all(re.fullmatch(r"P-[0-9a-f]{12}", w["citizen"]) for w in figures["worst_cases"])
    assert "attachment" in answers[2].headers["content-disposition"]
    # stable: the same citizen has the same pseudonym in the CSV as in the figures
    assert figures["worst_cases"][0]["citizen"] in answers[1].text


def test_auditors_and_members_may_not_import_and_members_may_not_audit(
    client: TestClient, make: Any, team_a: m.Team, headers: dict[str, dict[str, str]]
) -> None:
    world = _setup(make, team_a)
    content = _performed_as_planned(world)

    assert _upload(client, headers["auditor"], content).status_code == 403
    assert _upload(client, headers["member"], content).status_code == 403
    assert client.get("/api/audit/figures", headers=headers["member"]).status_code == 403
    assert client.get("/api/audit/figures").status_code == 401


def test_a_coordinator_cannot_audit_another_team(
    client: TestClient, make: Any, team_a: m.Team, team_b: m.Team, headers: dict[str, dict[str, str]]
) -> None:
    r = client.get("/api/audit/figures", params={"team": "TB"}, headers=headers["coordinator"])

    assert r.status_code == 404


def test_bad_query_parameters_are_422_with_the_field(
    client: TestClient, team_a: m.Team, headers: dict[str, dict[str, str]], db_session: Session
) -> None:
    db_session.commit()  # the users outlive the first refused request's rollback
    r = client.get("/api/audit/figures", params={"source": "plan"}, headers=headers["coordinator"])
    assert r.status_code == 422 and "plan_version" in r.text
    r = client.get("/api/audit/figures", params={"month": "December"}, headers=headers["coordinator"])
    assert r.status_code == 422 and "month" in r.text


def test_national_measure_from_the_database_uses_birth_years_and_recorded_absences(
    client: TestClient, make: Any, team_a: m.Team, headers: dict[str, dict[str, str]], db_session: Session
) -> None:
    """Two recipients aged 65+ with two visits every day of 14 days; one has a recorded absence (an
    adjustment `citizen_away`), so only the other is measured; a 60-year-old is left out for age."""
    from models.adjustments import Adjustment

    carers = [make.carer(team_a) for _ in range(4)]
    home = make.citizen(team_a, birth_year=1940)
    away = make.citizen(team_a, birth_year=1935)
    young = make.citizen(team_a, birth_year=1966)
    plan = m.Plan(
        external_id="plan-n", name="n", start_date=DAY, end_date=DAY + dt.timedelta(days=13), teams=[team_a]
    )
    db_session.add(plan)
    db_session.flush()
    db_session.add(
        Adjustment(
            plan_id=plan.id,
            team_id=team_a.id,
            kind="citizen_away",
            status="pending",
            change={"type": "citizen_away", "citizen": away.external_id, "from_day": 3, "to_day": 3},
            date_from=DAY + dt.timedelta(days=3),
            date_to=DAY + dt.timedelta(days=3),
        )
    )
    db_session.commit()
    rows = []
    for d in range(14):
        date = DAY + dt.timedelta(days=d)
        for i, p in enumerate((home, away, young)):
            for hour, carer in ((8 + i, carers[d % 3]), (17 + i, carers[3])):
                rows.append(
                    (p.external_id, carer.external_id, f"{date}T{hour:02d}:00", f"{date}T{hour:02d}:30", "")
                )
    assert _upload(client, headers["coordinator"], _csv(rows)).status_code == 200

    f = client.get("/api/audit/figures", params={"month": "2026-12"}, headers=headers["coordinator"]).json()

    n = f["national_14d"]
    assert n["recipients"] == 1 and n["mean"] == 4.0 and n["share_over_20"] == 0.0
    assert n["excluded"]["recorded absence"] == 1 and n["excluded"]["under 65"] == 1
