"""The auditor's continuity page: it opens on this month for every team the auditor audits, from the plans
in force while nothing is performed yet, the national 14-day measure first; and whatever team, month and
source is asked for, it shows figures or says in words why there are none. Runs on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import itertools
import re

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.security import SESSION_COOKIE, create_access_token
from app.web.i18n import ENGLISH_WORDS
from models import core as m
from models.performed import PerformedVisit
from tests.conftest import Make

# The English words the Swedish crawl looks for (tests/web/test_swedish_pages.py), as whole words.
ENGLISH = re.compile(
    r"(?<![\wåäöÅÄÖ-])(" + "|".join(re.escape(w) for w in ENGLISH_WORDS) + r")(?![\wåäöÅÄÖ-])", re.I)

THIS_MONTH = dt.date.today().replace(day=1)


def _planned_team(make: Make, session: Session, name: str, first: dt.date) -> m.Team:
    """A team with two citizens, two carers and an accepted plan for three days from `first`."""
    team = make.team(name)
    carers = [make.carer(team, name=f"{name} carer {i}") for i in range(2)]
    citizens = [
        make.citizen(team, name=f"{name} citizen {i}", contact_carer_id=c.id) for i, c in enumerate(carers)
    ]
    plan = m.Plan(external_id=f"{team.external_id}-plan", name=f"{team.external_id} plan", start_date=first,
                  end_date=first + dt.timedelta(days=2), teams=[team])
    version = m.PlanVersion(plan=plan, number=1, status=m.PLAN_ACCEPTED)
    session.add_all([plan, version])
    session.flush()
    for d in range(3):
        for i, citizen in enumerate(citizens):
            visit = make.visit(citizen, date=first + dt.timedelta(days=d), earliest=420 + 60 * i)
            session.add(m.Assignment(plan_version_id=version.id, visit_id=visit.id, start=420 + 60 * i,
                                     carers=[carers[(i + d) % 2]]))
    session.flush()
    return team


def _as(client: TestClient, user: m.User, lang: str = "sv") -> TestClient:
    client.cookies.set(SESSION_COOKIE, create_access_token(user))
    client.cookies.set("lang", lang)
    return client


def test_the_auditor_opens_on_this_month_for_all_teams_from_the_plans_national_measure_first(
    client: TestClient, make: Make, db_session: Session
) -> None:
    north = _planned_team(make, db_session, "Norra", THIS_MONTH)
    south = _planned_team(make, db_session, "Södra", THIS_MONTH + dt.timedelta(days=3))
    auditor = make.user(m.ROLE_AUDITOR, [north, south])
    db_session.commit()

    r = _as(client, auditor).get("/audit")

    assert r.status_code == 200
    text = r.text
    assert "Källa: Planerat" in text
    rows = re.findall(r'<tr><th scope="row">([^<]+)</th><td class="num">(\d+)</td><td class="num">(\d+)</td>',
                      text)
    assert sorted(rows) == [("Norra", "2", "6"), ("Södra", "2", "6")]
    assert text.index('id="national"') < text.index('id="key-figures"')
    assert "Norra citizen" not in text and north.external_id not in re.sub(r'value="[^"]*"', "", text)


def test_every_team_month_and_source_shows_figures_or_says_why_not(
    client: TestClient, make: Make, db_session: Session
) -> None:
    team = _planned_team(make, db_session, "Norra", THIS_MONTH)
    other = make.team("Tom")  # no plan, no performed visits
    auditor = make.user(m.ROLE_AUDITOR, [team, other])
    db_session.commit()
    _as(client, auditor)
    last_month = (THIS_MONTH - dt.timedelta(days=1)).strftime("%Y-%m")
    months = ["", THIS_MONTH.strftime("%Y-%m"), last_month, "2026-13", "december"]
    for team_ext, month, source in itertools.product(
        ["", team.external_id, other.external_id], months, ["", "auto", "plan", "performed", "anything"]
    ):
        r = client.get("/audit", params={"team": team_ext, "month": month, "source": source})
        assert r.status_code == 200, (team_ext, month, source, r.status_code)
        assert ('id="key-figures"' in r.text) != ('id="why-none"' in r.text), (team_ext, month, source)
        if 'id="why-none"' in r.text:
            why = re.search(r'id="why-none">([^<]+)<', r.text)
            assert why is not None and why.group(1).strip(), (team_ext, month, source)


def test_the_reasons_are_in_words_the_reader_understands(
    client: TestClient, make: Make, db_session: Session
) -> None:
    team = _planned_team(make, db_session, "Norra", THIS_MONTH)
    auditor = make.user(m.ROLE_AUDITOR, [team])
    db_session.commit()
    _as(client, auditor)

    performed = client.get("/audit", params={"source": "performed"}).text
    no_plan = client.get("/audit", params={"source": "plan", "month": "2020-01"}).text
    bad_month = client.get("/audit", params={"month": "2026-13"}).text

    assert "Inga utförda besök är inlästa för den här månaden än." in performed
    assert "Ingen godkänd plan täcker den här månaden för de här arbetslagen än." in no_plan
    assert "den här månaden visas i stället" in bad_month and 'id="key-figures"' in bad_month
    assert 'id="download-csv"' not in no_plan
    assert client.get("/audit/export.csv", params={"source": "plan", "month": "2020-01"}).status_code == 404


def _performed(session: Session, team: m.Team, first: dt.date) -> None:
    """The team's planned visits of the first two days as performed, each by the other carer than planned."""
    rows = session.execute(
        select(m.Visit, m.Assignment).join(m.Assignment, m.Assignment.visit_id == m.Visit.id)
        .join(m.Citizen, m.Citizen.id == m.Visit.citizen_id)
        .where(m.Citizen.team_id == team.id, m.Visit.date < first + dt.timedelta(days=2))).all()
    carers = session.scalars(select(m.Carer).where(m.Carer.team_id == team.id).order_by(m.Carer.id)).all()
    for visit, assignment in rows:
        other = next(c for c in carers if c.id != assignment.carers[0].id)
        start = dt.datetime.combine(visit.date, dt.time()) + dt.timedelta(minutes=assignment.start)
        session.add(PerformedVisit(citizen_id=visit.citizen_id, carer_id=other.id, start=start,
                                   end=start + dt.timedelta(minutes=visit.duration), visit_id=visit.id))
    session.flush()


def test_teams_with_performed_visits_and_teams_with_only_plans_are_each_counted_from_their_own_source(
    client: TestClient, make: Make, db_session: Session
) -> None:
    north = _planned_team(make, db_session, "Norra", THIS_MONTH)
    south = _planned_team(make, db_session, "Södra", THIS_MONTH + dt.timedelta(days=3))
    _performed(db_session, north, THIS_MONTH)
    auditor = make.user(m.ROLE_AUDITOR, [north, south])
    db_session.commit()

    text = _as(client, auditor).get("/audit").text

    assert "Källa: Utfört där det finns, annars planerat" in text
    rows = re.findall(r'<tr><th scope="row">([^<]+)</th><td class="num">(\d+)</td><td class="num">(\d+)</td>'
                      r'.*?<td class="team-source">([^<]+)</td>', text)
    # Norra: its four performed visits (not its six planned); Södra: its six planned ones
    assert sorted(rows) == [("Norra", "2", "4", "Utfört"), ("Södra", "2", "6", "Planerat")]
    assert "Några arbetslag räknas från sina planer" in text

    one_team = client.get("/audit", params={"team": south.external_id}).text
    assert "Källa: Planerat" in one_team and 'class="team-source">Planerat' in one_team


def test_the_downloaded_report_speaks_the_readers_language(
    client: TestClient, make: Make, db_session: Session
) -> None:
    north = _planned_team(make, db_session, "Norra", THIS_MONTH)
    south = _planned_team(make, db_session, "Södra", THIS_MONTH + dt.timedelta(days=3))
    _performed(db_session, north, THIS_MONTH)
    auditor = make.user(m.ROLE_AUDITOR, [north, south])
    db_session.commit()

    swedish = _as(client, auditor).get("/audit/report.html")
    assert swedish.status_code == 200 and 'lang="sv"' in swedish.text
    text = re.sub(r"<style>.*?</style>|<[^>]+>", " ", swedish.text, flags=re.S)
    assert "Kontinuitetsgranskning" in text and "Nationella 14-dagarsmåttet" in text
    assert "Sämsta fallen och varför" in text and "Utfört" in text and "Planerat" in text
    assert not ENGLISH.findall(text), ENGLISH.findall(text)
    # teams by name in the tables (the title keeps the plans' names as the planners gave them)
    assert '<td class="l">Norra</td>' in swedish.text
    assert f'<td class="l">{north.external_id}</td>' not in swedish.text
    english = _as(client, auditor, "en").get("/audit/report.html").text
    assert "Continuity audit" in english and "Worst cases and why" in english and 'lang="en"' in english


def test_the_api_counts_each_team_from_its_best_source_and_gives_the_report_in_swedish(
    client: TestClient, make: Make, db_session: Session, auth
) -> None:
    north = _planned_team(make, db_session, "Norra", THIS_MONTH)
    south = _planned_team(make, db_session, "Södra", THIS_MONTH + dt.timedelta(days=3))
    _performed(db_session, north, THIS_MONTH)
    auditor = make.user(m.ROLE_AUDITOR, [north, south])
    db_session.commit()
    month = THIS_MONTH.strftime("%Y-%m")

    figures = client.get("/api/audit/figures", headers=auth(auditor),
                         params={"source": "best", "month": month}).json()
    assert figures["source"] == "mixed"
    assert figures["team_sources"] == {north.external_id: "performed", south.external_id: "plan"}
    assert {t: row["visits"] for t, row in figures["teams"].items()} == {north.external_id: 4,
                                                                         south.external_id: 6}
    no_month = client.get("/api/audit/figures", headers=auth(auditor), params={"source": "best"})
    assert no_month.status_code == 422 and no_month.json()["detail"][0]["path"] == "query.month"
    report = client.get("/api/audit/report.html", headers=auth(auditor),
                        params={"source": "best", "month": month, "lang": "sv"})
    assert report.status_code == 200 and "Kontinuitetsgranskning" in report.text
    assert not ENGLISH.findall(re.sub(r"<style>.*?</style>|<[^>]+>", " ", report.text, flags=re.S))
