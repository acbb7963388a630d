"""A carer's roster: a pattern over weeks with split shifts and breaks, exceptions on dates, warnings
for the working-time rules, and assignments the change leaves off shift listed for a re-plan."""

from __future__ import annotations

from sqlalchemy import select

from models import core as m
from tests.team_data.conftest import MON, day


def _shifts(db_session, carer, start, end):
    rows = db_session.scalars(select(m.Shift).where(m.Shift.carer_id == carer.id, m.Shift.date >= start,
                                                    m.Shift.date <= end)
                              .order_by(m.Shift.date, m.Shift.start))
    return [(s.date, s.start, s.end) for s in rows]


def test_a_two_week_pattern_with_a_split_shift_repeats_and_carries_its_break(client, headers, week,
                                                                             db_session):
    r = client.put(f"/api/carers/{week.bo.id}/roster", headers=headers["coordinator"], json={
        "from_date": str(MON), "weeks": 2, "shifts": [
            {"week": 0, "weekday": 0, "start": 420, "end": 960,
             "break_earliest": 660, "break_latest": 780, "break_minutes": 30},
            {"week": 1, "weekday": 0, "start": 420, "end": 600},
            {"week": 1, "weekday": 0, "start": 960, "end": 1200}]})
    assert r.status_code == 200, r.text
    assert r.json()["warnings"] == []
    mondays = [s for s in _shifts(db_session, week.bo, MON, day(27)) if s[0].weekday() == 0]
    assert mondays == [(day(0), 420, 960), (day(7), 420, 600), (day(7), 960, 1200),
                       (day(14), 420, 960), (day(21), 420, 600), (day(21), 960, 1200)]
    first = db_session.scalar(select(m.Shift).where(m.Shift.carer_id == week.bo.id, m.Shift.date == MON))
    assert (first.break_earliest, first.break_latest, first.break_minutes) == (660, 780, 30)
    assert first.from_roster


def test_the_roster_warns_of_short_rest_and_long_days_but_keeps_them(client, headers, week):
    r = client.put(f"/api/carers/{week.bo.id}/roster", headers=headers["coordinator"], json={
        "from_date": str(MON), "weeks": 1, "shifts": [
            {"weekday": 0, "start": 840, "end": 1320}, {"weekday": 1, "start": 420, "end": 900},
            {"weekday": 2, "start": 360, "end": 600}, {"weekday": 2, "start": 840, "end": 1230}]})
    assert r.status_code == 200, r.text
    kinds = {(w["date"], w["kind"]) for w in r.json()["warnings"]}
    assert (str(day(0)), "short_rest") in kinds  # 22:00 to 07:00 is 9 hours
    assert (str(day(2)), "long_day") in kinds  # 06:00 to 20:30
    assert r.json()["patterns"][0]["weeks"] == 1


def test_a_pattern_changed_from_a_date_keeps_the_earlier_one_until_then(client, headers, week, db_session):
    coordinator = headers["coordinator"]
    client.put(f"/api/carers/{week.bo.id}/roster", headers=coordinator, json={
        "from_date": str(MON), "weeks": 1,
        "shifts": [{"weekday": d, "start": 420, "end": 930} for d in range(7)]})
    r = client.put(f"/api/carers/{week.bo.id}/roster", headers=coordinator, json={
        "from_date": str(day(7)), "weeks": 1, "shifts": [{"weekday": d, "start": 900, "end": 1320}
                                                         for d in range(5)]})
    assert r.status_code == 200, r.text
    patterns = r.json()["patterns"]
    assert [(p["valid_from"], p["valid_to"]) for p in patterns] == [
        (str(MON), str(day(6))), (str(day(7)), None)]
    assert _shifts(db_session, week.bo, day(6), day(7)) == [(day(6), 420, 930), (day(7), 900, 1320)]
    assert _shifts(db_session, week.bo, day(12), day(13)) == []


def test_leave_on_a_date_takes_the_shifts_off_and_lists_the_carers_visits_that_day(client, headers, week,
                                                                                    db_session):
    coordinator = headers["coordinator"]
    r = client.post(f"/api/carers/{week.anna.id}/roster/exceptions", headers=coordinator,
                    json={"date": str(day(2)), "kind": "leave", "note": "dentist"})
    assert r.status_code == 201, r.text
    assert _shifts(db_session, week.anna, day(2), day(2)) == []
    listed = client.get(f"/api/plans/{week.plan.id}/replan-needs", headers=coordinator).json()
    assert [n["date"] for n in listed] == [str(day(2))]
    extra = client.post(f"/api/carers/{week.bo.id}/roster/exceptions", headers=coordinator,
                        json={"date": str(day(2)), "kind": "extra", "start": 1000, "end": 1200})
    assert extra.status_code == 201
    assert _shifts(db_session, week.bo, day(2), day(2)) == [(day(2), 360, 930), (day(2), 1000, 1200)]
    clash = client.post(f"/api/carers/{week.bo.id}/roster/exceptions", headers=coordinator,
                        json={"date": str(day(3)), "kind": "extra", "start": 900, "end": 1000})
    assert clash.status_code == 422
    exc = extra.json()["exceptions"][-1]
    gone = client.delete(f"/api/carers/{week.bo.id}/roster/exceptions/{exc['id']}", headers=coordinator)
    assert gone.status_code == 204
    assert _shifts(db_session, week.bo, day(2), day(2)) == [(day(2), 360, 930)]
