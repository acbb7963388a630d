"""A Sundsvall-like demo municipality: three home-care teams, about 60 citizens with realistic
morning / medication / lunch / shower / evening needs, about 40 carers with skills and day, evening
and split shifts, four weeks of visits, and demo users of each role with known passwords.

Everything is made up (names, addresses, notes) and generated from a seed, so the same seed gives
the same municipality. Needs, shifts and skills are exchange/generator.py's (the generated test
instances are teams of the same kind). `seed_demo(session)` writes it through the normal services (visits come
from the needs by the visit generator), and never commits.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from app.mapping import accept_plan_version, build_problem, store_plan_version
from app.security import hash_password
from app.services.core import get_municipality
from app.services.visits import generate_visits
from exchange.generator import (
    PROFILES,
    SHIFT_PATTERNS,
    SUNDSVALL_BASES,
    carer_skills,
    days_off,
    near,
    needs_for,
)
from models.core import (
    ROLE_ADMIN,
    ROLE_AUDITOR,
    ROLE_COORDINATOR,
    ROLE_MEMBER,
    Carer,
    Citizen,
    Need,
    Shift,
    Team,
    User,
)
from solver import SolveParams, solve

DEMO_PASSWORD = "homecare-demo"
DEMO_DAYS = 28

# name, base (lat, lon), base address, streets nearby
TEAMS = [
    ("Centrum", SUNDSVALL_BASES[0], "Storgatan 30, Sundsvall",
     ["Storgatan", "Esplanaden", "Köpmangatan", "Nybrogatan", "Trädgårdsgatan", "Rådhusgatan", "Sjögatan"]),
    ("Skönsberg", SUNDSVALL_BASES[1], "Bruksgatan 12, Sundsvall",
     ["Bruksgatan", "Skönsbergsvägen", "Fabriksgatan", "Kolvägen", "Folkparksvägen", "Gärdesvägen"]),
    ("Nacksta", SUNDSVALL_BASES[2], "Nackstavägen 40, Sundsvall",
     ["Nackstavägen", "Rådjursvägen", "Tallvägen", "Gransvägen", "Björkvägen", "Ekbacken"]),
]
CITIZENS_PER_TEAM = (21, 20, 19)
CARERS_PER_TEAM = (15, 14, 14)

FIRST_NAMES = ["Astrid", "Karl", "Greta", "Nils", "Ingrid", "Sven", "Margit", "Olof", "Elsa", "Gunnar",
               "Birgit", "Erik", "Signe", "Lars", "Maj", "Bertil", "Dagny", "Helge", "Inga", "Stig",
               "Ruth", "Gösta", "Elvy", "Harald", "Svea", "Rune", "Ebba", "Arne", "Gun", "Tore"]
LAST_NAMES = ["Lindqvist", "Berg", "Sjöberg", "Nordin", "Holm", "Sundberg", "Öberg", "Åkesson",
              "Forsberg", "Wikström", "Hedlund", "Norberg", "Strand", "Lundgren", "Engström", "Byström"]
CARER_NAMES = ["Anna", "Fatima", "Johan", "Sara", "Mohammed", "Emma", "Elin", "Amir", "Lina", "Oskar",
               "Maria", "Hanna", "Ali", "Sofia", "Jonas", "Ida", "Yusuf", "Klara", "Petra", "Robin",
               "Malin", "Daniel", "Nadia", "Emil", "Therese", "Linnea", "Hassan", "Frida", "Jenny", "Mattias"]
CARER_LAST = ["Andersson", "Johansson", "Karlsson", "Nilsson", "Eriksson", "Larsson", "Olsson", "Persson",
              "Svensson", "Gustafsson", "Hussein", "Pettersson", "Jonsson", "Mohamud", "Ali", "Hansson"]
NOTES = ["Nyckel i nyckelgömman vid dörren, koden får du av planeraren.", "Hör dåligt: ring två gånger.",
         "Dottern hälsar på på söndagar.", "Vill ha kaffe före morgonhjälpen.",
         "Hund i lägenheten (snäll).", "Använder rollator; se till att hallen är fri.",
         "Diabetiker: se till att maten blir uppäten.", "Tycker om att prata om Indalsälven och fiske.",
         None, None, None]
# How the help is given, per need: what a carer new to the citizen reads on the day's route.
CARE_INSTRUCTIONS = {
    "morning": "Hjälp med tvätt vid handfatet och påklädning; låt brukaren göra det hen klarar själv. "
               "Frukost: gröt och kaffe.",
    "lunch": "Värm den färdiga lunchen, duka fram och sitt med en stund.",
    "evening": "Hjälp med kvällstoalett och att gå till sängs; kontrollera att larmet sitter på.",
    "shower": "Duschpallen står i badrummet; torka ordentligt och smörj in fötterna.",
    "medication": "Ge läkemedlen ur dosetten och se att de tas; signera på listan.",
    "cleaning": "Dammsug och våttorka golven, byt sängkläder varannan gång.",
    "shopping": "Inköpslistan ligger på kylskåpet; kvitto och växel i kuvertet.",
}


@dataclass(slots=True)
class DemoLogin:
    username: str
    password: str
    role: str
    teams: list[str]


@dataclass(slots=True)
class DemoInfo:
    start: dt.date
    days: int
    teams: int = 0
    carers: int = 0
    citizens: int = 0
    needs: int = 0
    visits: int = 0


def demo_logins() -> list[DemoLogin]:
    names = [t[0] for t in TEAMS]
    return [
        DemoLogin("admin", DEMO_PASSWORD, ROLE_ADMIN, names),
        DemoLogin("coordinator", DEMO_PASSWORD, ROLE_COORDINATOR, names[:2]),
        DemoLogin("coordinator-nacksta", DEMO_PASSWORD, ROLE_COORDINATOR, names[2:]),
        DemoLogin("member", DEMO_PASSWORD, ROLE_MEMBER, names[:1]),
        DemoLogin("member-skonsberg", DEMO_PASSWORD, ROLE_MEMBER, names[1:2]),
        DemoLogin("auditor", DEMO_PASSWORD, ROLE_AUDITOR, names),
    ]


def is_empty(session: Session) -> bool:
    return session.scalar(select(Team.id).limit(1)) is None


def default_start(today: dt.date | None = None) -> dt.date:
    """The Monday of the current week: the demo shows this week and the next three."""
    today = today or dt.date.today()
    return today - dt.timedelta(days=today.weekday())


def seed_demo(session: Session, *, start: dt.date | None = None, days: int = DEMO_DAYS,
              seed: int = 2026) -> DemoInfo:
    """Write the demo municipality (on an empty database). Returns what was made."""
    rng = random.Random(seed)
    start = start or default_start()
    end = start + dt.timedelta(days=days - 1)
    info = DemoInfo(start=start, days=days)
    town = get_municipality(session)
    town.name = "Sundsvall (demo)"

    teams: list[Team] = []
    for (name, (lat, lon), address, _streets) in TEAMS:
        team = Team(external_id=f"demo-{name.lower().replace('ö', 'o')}", name=name, lat=lat, lon=lon,
                    base_address=address)
        session.add(team)
        teams.append(team)
    session.flush()
    info.teams = len(teams)

    used_names: set[str] = set()

    def person(first: list[str], last: list[str]) -> str:
        while True:
            name = f"{rng.choice(first)} {rng.choice(last)}"
            if name not in used_names:
                used_names.add(name)
                return name

    shift_rows: list[dict[str, object]] = []
    carers_by_team: dict[int, list[Carer]] = {}
    for t_index, team in enumerate(teams):
        carers: list[Carer] = []
        for i in range(CARERS_PER_TEAM[t_index]):
            label, pattern = SHIFT_PATTERNS[i % len(SHIFT_PATTERNS)]
            skills = carer_skills(i, label)
            weekly = sum(e - s for s, e in pattern) * 5
            carer = Carer(external_id=f"{team.external_id}-c{i + 1:02d}", team_id=team.id,
                          name=person(CARER_NAMES, CARER_LAST), skills=skills,
                          contracted_minutes_per_week=weekly, active_from=start - dt.timedelta(days=365))
            session.add(carer)
            carers.append(carer)
        session.flush()
        for i, carer in enumerate(carers):
            _label, pattern = SHIFT_PATTERNS[i % len(SHIFT_PATTERNS)]
            # Two days off a week, staggered so every day of the week is covered.
            off = days_off(i)
            for d in range(days):
                date = start + dt.timedelta(days=d)
                if date.weekday() in off:
                    continue
                for s, e in pattern:
                    shift_rows.append({"carer_id": carer.id, "date": date, "start": s, "end": e})
        carers_by_team[team.id] = carers
        info.carers += len(carers)
    for i in range(0, len(shift_rows), 2000):
        session.execute(insert(Shift), shift_rows[i:i + 2000])

    need_count = 0
    for t_index, team in enumerate(teams):
        _name, (lat, lon), _address, streets = TEAMS[t_index]
        carers = carers_by_team[team.id]
        for i in range(CITIZENS_PER_TEAM[t_index]):
            profile = rng.choice(PROFILES)
            plat, plon = near(rng, lat, lon, 1.8)
            needs = needs_for(rng, profile)
            wanted = {sk for n in needs for sk in n["skills"]}  # type: ignore[attr-defined]
            able = [c for c in carers if wanted <= set(c.skills)] or carers
            contact = rng.choice(able)
            citizen = Citizen(
                external_id=f"{team.external_id}-p{i + 1:03d}", team_id=team.id,
                name=person(FIRST_NAMES, LAST_NAMES),
                address=f"{rng.choice(streets)} {rng.randint(1, 60)}, Sundsvall",
                lat=plat, lon=plon, contact_carer_id=contact.id, notes=rng.choice(NOTES),
                birth_year=rng.randint(1928, 1958),
                avoid_carers=[rng.choice([c for c in carers if c.id != contact.id])] if rng.random() < 0.12
                else [],
            )
            session.add(citizen)
            session.flush()
            for n in needs:
                session.add(Need(external_id=f"{citizen.external_id}-{n['kind']}", citizen_id=citizen.id,
                                 valid_from=start, care_instructions=CARE_INSTRUCTIONS.get(n["kind"]), **n))
                need_count += 1
        info.citizens += CITIZENS_PER_TEAM[t_index]
    session.flush()
    info.needs = need_count
    generated = generate_visits(session, start=start, end=end, team_ids=None, today=start)
    info.visits = generated.created

    by_name = {t.name: t for t in teams}
    password_hash = hash_password(DEMO_PASSWORD)
    for login in demo_logins():
        session.add(User(username=login.username, full_name=f"Demo {login.role}", role=login.role,
                         password_hash=password_hash, is_active=True,
                         teams=[by_name[n] for n in login.teams] if login.role != ROLE_ADMIN else []))
    session.flush()
    return info


def plan_demo(session: Session, *, start: dt.date, days: int = DEMO_DAYS, seconds_per_team: float = 8.0,
              on_team: Callable[[str], None] | None = None) -> int:
    """Give every demo team an accepted plan, so the rota shows visits on first start.

    A short solve per team: the demo should open in seconds; a coordinator can start a longer
    plan run from the pages. Returns the number of visits placed.
    """
    end = start + dt.timedelta(days=days - 1)
    placed = 0
    for team in session.scalars(select(Team).order_by(Team.id)):
        problem = build_problem(session, team_ids=[team.id], start=start, end=end)
        plan = solve(problem, SolveParams(time_limit=seconds_per_team, seed=0))
        version = store_plan_version(session, team_ids=[team.id], start=start, end=end, plan=plan,
                                     inputs={"source": "demo", "time_limit": seconds_per_team})
        accept_plan_version(session, version=version, user=None)
        placed += len(plan.assignments)
        if on_team is not None:
            on_team(team.name)
    return placed
