"""The continuity audit over the database: import performed visits; figures, CSV and HTML for a team or the
whole municipality and a month, from a plan version or from performed visits.

Services take the session and keyword-only arguments, flush but never commit (the request's session
dependency owns the commit). All counting is done by the pure `app.audit` modules.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from sqlalchemy import insert
from sqlalchemy.orm import Session

from app.audit.figures import Audit, run_audit
from app.audit.inputs import Alias, AuditInput, plain, rows_from_plan
from app.audit.performed import PerformedFileError, RowError, check_against_stored, is_json, parse_bytes
from app.audit.pseudonym import Pseudonymiser, key_from_settings
from app.audit.report import ENGLISH, ChartWords, citizen_csv, render_html
from app.audit.stats import MonthKey
from app.repositories import core as core_repo
from app.repositories import performed as repo
from app.security import visible_team_ids
from app.services.errors import Invalid, NotFound
from app.settings import get_settings
from models.core import ROLE_AUDITOR, Plan, User
from models.performed import PerformedImport, PerformedVisit

Source = Literal["performed", "plan"]
HISTORY_DAYS = 62  # how far before the month the audit looks, to know who is a "new face"


@dataclass
class ImportResult:
    rows: int
    created: int
    updated: int
    unchanged: int
    import_id: int | None
    already_imported: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "import_id": self.import_id,
            "already_imported": self.already_imported,
        }


def import_performed(
    session: Session, *, content: bytes, filename: str, user_id: int | None = None
) -> ImportResult:
    """Validate the whole file against the database, then store it; all or nothing.

    Raises Invalid (422) listing every bad row with its line number (nothing written). Idempotent: a
    visit is identified by (citizen, carer, start); rows already stored unchanged are left alone, so
    importing the same file twice changes nothing (and records no second import)."""
    try:
        return _import(session, content=content, filename=filename, user_id=user_id)
    except PerformedFileError as e:
        raise Invalid(
            str(e),
            errors=[
                {
                    **err.as_dict(),
                    "loc": [err.unit, err.line, *([err.column] if err.column else [])],
                    "path": f"{err.unit} {err.line}" + (f" ({err.column})" if err.column else ""),
                    "msg": err.message,
                }
                for err in e.errors
            ],
        ) from None


def _import(session: Session, *, content: bytes, filename: str, user_id: int | None) -> ImportResult:
    citizens, carers, visits = repo.id_maps(session)
    rows = parse_bytes(content, filename, repo.known_ids(citizens, carers, visits))
    if not rows:
        raise PerformedFileError([RowError(1, "the file holds no performed visits")])
    lo, hi = min(r.start for r in rows), max(r.start for r in rows)
    stored = repo.stored_in_range(session, lo, hi)
    citizen_ext = {v: k for k, v in citizens.items()}
    carer_ext = {v: k for k, v in carers.items()}
    clashes = check_against_stored(
        rows,
        [(citizen_ext[s.citizen_id], carer_ext[s.carer_id], s.start, s.end) for s in stored],
        "item" if is_json(content, filename) else "line",
    )
    if clashes:
        raise PerformedFileError(clashes)

    existing = {(s.citizen_id, s.carer_id, s.start): s for s in stored}
    new: list[dict[str, Any]] = []
    updated = unchanged = 0
    for r in rows:
        values = {
            "end": r.end,
            "visit_id": visits[r.visit][0] if r.visit else None,
            "kind": r.kind,
            "role": r.role,
            "need": r.need,
        }
        s = existing.get((citizens[r.citizen], carers[r.carer], r.start))
        if s is None:
            new.append(
                {"citizen_id": citizens[r.citizen], "carer_id": carers[r.carer], "start": r.start, **values}
            )
        elif any(getattr(s, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(s, k, v)
            updated += 1
        else:
            unchanged += 1
    digest = hashlib.sha256(content).hexdigest()
    if not new and not updated:
        previous = repo.import_with_hash(session, digest)
        return ImportResult(
            rows=len(rows),
            created=0,
            updated=0,
            unchanged=unchanged,
            import_id=previous.id if previous else None,
            already_imported=True,
        )
    record = repo.add_import(
        session,
        PerformedImport(
            filename=filename[:300] or "upload",
            sha256=digest,
            rows=len(rows),
            created=len(new),
            updated=updated,
            unchanged=unchanged,
            created_by_id=user_id,
        ),
    )
    if new:
        for n in new:
            n["import_id"] = record.id
        session.execute(insert(PerformedVisit), new)
    session.flush()
    return ImportResult(
        rows=len(rows), created=len(new), updated=updated, unchanged=unchanged, import_id=record.id
    )


@dataclass
class AuditResult:
    audit: Audit
    figures: dict[str, Any]
    alias: Alias = plain
    pseudonymised: bool = False
    scope: dict[str, Any] = field(default_factory=dict)


def auditable_teams(session: Session, *, user: User) -> set[str] | None:
    """External ids of the teams the user may audit; None: every team (an admin, or an auditor with no
    teams assigned, who audits the whole municipality)."""
    ids = visible_team_ids(user)
    if ids is None or (user.role == ROLE_AUDITOR and not ids):
        return None
    return core_repo.team_external_ids(session, ids)


def pseudonymiser() -> Pseudonymiser:
    return Pseudonymiser(key_from_settings(get_settings()))


def parse_month(value: str | None) -> MonthKey | None:
    if value is None or value == "":
        return None
    try:
        d = dt.date.fromisoformat(value + "-01" if len(value) == 7 else value)
    except ValueError:
        raise Invalid(f"{value!r} is not a month like 2026-12", path="query.month") from None
    return (d.year, d.month)


def _month_range(month: MonthKey) -> tuple[dt.date, dt.date]:
    first = dt.date(month[0], month[1], 1)
    nxt = dt.date(month[0] + (month[1] == 12), month[1] % 12 + 1, 1)
    return first, nxt - dt.timedelta(days=1)


def run(
    session: Session,
    *,
    source: Source = "performed",
    plan_version_id: int | None = None,
    plan_version_ids: Sequence[int] = (),
    team: str | None = None,
    month: str | None = None,
    period_start: dt.date | None = None,
    pseudonymise: bool = False,
    allowed_teams: set[str] | None = None,
) -> AuditResult:
    """Figures for a team (or every team the caller may see) and a month (or all), from performed visits or
    from plan versions: `plan_version_id`, or `plan_version_ids` for the plans of several teams or
    periods at once (the municipality's plans in force for a month). `allowed_teams` None means every
    team."""
    mk = parse_month(month)
    if team is not None and allowed_teams is not None and team not in allowed_teams:
        raise NotFound(f"team {team!r} not found", path="query.team")  # as for a missing team, on purpose
    wanted = [team] if team is not None else (sorted(allowed_teams) if allowed_teams is not None else None)
    tids: list[int] | None = None
    if wanted is not None:
        found = repo.team_ids(session, wanted)
        if team is not None and team not in found:
            raise NotFound(f"team {team!r} not found", path="query.team")
        tids = list(found.values())
    version_ids = list(dict.fromkeys([*([plan_version_id] if plan_version_id is not None else []),
                                      *plan_version_ids]))
    plans: list[Plan] = []
    for vid in version_ids:
        version = repo.plan_version(session, vid)
        if version is None:
            raise NotFound(f"plan version {vid} not found", path="query.plan_version")
        plans.append(repo.plan_of(session, version))
    if source == "plan" and not plans:
        raise Invalid("auditing a plan needs plan_version", path="query.plan_version")
    plan_span = (min(p.start_date for p in plans), max(p.end_date for p in plans)) if plans else None
    plan_name = ", ".join(dict.fromkeys(p.name for p in plans)) or None

    date_from: dt.date | None = None
    date_to: dt.date | None = None
    if mk is not None:
        m_first, m_last = _month_range(mk)
        date_from, date_to = m_first - dt.timedelta(days=HISTORY_DAYS), m_last + dt.timedelta(days=13)
    if source == "plan":
        assert plan_span is not None
        date_from = plan_span[0] if date_from is None else max(date_from, plan_span[0])
        date_to = plan_span[1] if date_to is None else min(date_to, plan_span[1])
    facts = repo.citizen_facts(session, tids)
    for citizen, spans in repo.citizen_absences(session, facts).items():
        facts[citizen].absences.extend(spans)
    cap = repo.monthly_cap(session, tids, get_settings().default_max_carers_per_month)
    anchor = (
        period_start
        or (plan_span[0] if plan_span is not None else None)
        or (_month_range(mk)[0] if mk is not None else None)
    )
    planned = repo.planned_visits(
        session, team_ids=tids, date_from=date_from, date_to=date_to, plan_version_ids=version_ids
    )
    if source == "plan":
        inp = AuditInput(
            rows=rows_from_plan(planned.values(), facts),
            source="plan",
            citizens=facts,
            planned=planned,
            has_plan=True,
            cap=cap,
            anchor=anchor,
            coverage=plan_span,
            plan_days=plan_span,
            name=plan_name,
        )
    else:
        rows = repo.performed_rows(session, team_ids=tids, date_from=date_from, date_to=date_to)
        inp = AuditInput(
            rows=rows,
            source="performed",
            citizens=facts,
            planned=planned,
            has_plan=bool(version_ids),
            cap=cap,
            anchor=anchor,
            plan_days=plan_span,
            name=plan_name,
        )
    alias: Alias = pseudonymiser() if pseudonymise else plain
    audit, figures = run_audit(inp, month=mk, team=team, alias=alias)
    figures["plan_version"] = plan_version_id
    return AuditResult(
        audit=audit,
        figures=figures,
        alias=alias,
        pseudonymised=pseudonymise,
        scope={"team": team, "month": month, "source": source, "plan_version": plan_version_id},
    )


def citizen_table(result: AuditResult) -> list[dict[str, Any]]:
    """Per citizen and period (month, 14 days): distinct carers, visits, contact share, new faces, cap."""
    return result.audit.citizen_rows(result.alias)


def csv_export(result: AuditResult) -> str:
    return citizen_csv(result.audit, result.audit.national_people, result.alias)


def html_report(result: AuditResult, *, words: ChartWords = ENGLISH) -> str:
    """The self-contained HTML report, in the reader's words (English by default)."""
    return render_html(result.audit, result.figures, alias=result.alias, pseudonymised=result.pseudonymised,
                       words=words)


SOURCE_PERFORMED: Source = "performed"
SOURCE_PLAN: Source = "plan"
SOURCE_MIXED = "mixed"


def _teams_with_visits(result: AuditResult) -> set[str]:
    return {t for t, row in (result.figures.get("teams") or {}).items() if row.get("visits")}


def _sourced(result: AuditResult, sources: dict[str, str]) -> AuditResult:
    result.figures["team_sources"] = dict(sorted(sources.items()))
    return result


def run_best(
    session: Session,
    *,
    plan_version_ids: Sequence[int] | None = None,
    team: str | None = None,
    month: str | None = None,
    pseudonymise: bool = False,
    allowed_teams: set[str] | None = None,
) -> AuditResult:
    """Each team counted from its best source: its performed visits where it has any in the month, else
    the plans in force (`plan_version_ids`; None: the accepted plans of the teams that overlap the
    month); never one team's plan against another's reality unsaid. The figures name each team's source
    (`team_sources`); `source` is "mixed" when the teams differ."""
    if plan_version_ids is None:
        mk = parse_month(month)
        if mk is None:
            raise Invalid("counting each team from its best source needs a month", path="query.month")
        wanted = [team] if team is not None else None if allowed_teams is None else sorted(allowed_teams)
        tids = None if wanted is None else list(repo.team_ids(session, wanted).values())
        first, last = _month_range(mk)
        plan_version_ids = repo.versions_in_force(session, team_ids=tids, start=first, end=last)
    common: dict[str, Any] = {"team": team, "month": month, "pseudonymise": pseudonymise,
                              "allowed_teams": allowed_teams, "plan_version_ids": plan_version_ids}
    performed = run(session, source=SOURCE_PERFORMED, **common)
    from_performed = _teams_with_visits(performed)
    if not plan_version_ids:
        return _sourced(performed, dict.fromkeys(from_performed, SOURCE_PERFORMED))
    planned = run(session, source=SOURCE_PLAN, **common)
    from_plan = _teams_with_visits(planned) - from_performed
    if not from_plan:
        return _sourced(performed, dict.fromkeys(from_performed, SOURCE_PERFORMED))
    if not from_performed:
        return _sourced(planned, dict.fromkeys(from_plan, SOURCE_PLAN))
    real, plan = performed.audit.inp, planned.audit.inp

    def team_of(citizen: str) -> str | None:
        facts = real.citizens.get(citizen)
        return facts.team if facts is not None else None

    rows = sorted([*(r for r in real.rows if team_of(r.citizen) in from_performed),
                   *(r for r in plan.rows if team_of(r.citizen) in from_plan)],
                  key=lambda r: (r.start, r.citizen, r.carer))
    # Plan against reality is only said of one source; the mixed figures leave it out.
    inp = AuditInput(rows=rows, source=SOURCE_MIXED, citizens=real.citizens, planned=real.planned,
                     has_plan=False, cap=real.cap, anchor=real.anchor, name=plan.name)
    audit, figures = run_audit(inp, month=parse_month(month), team=team, alias=performed.alias)
    figures["plan_version"] = None
    figures.pop("standard_minutes", None)  # planned minutes against planned minutes says nothing
    result = AuditResult(audit=audit, figures=figures, alias=performed.alias, pseudonymised=pseudonymise,
                         scope={"team": team, "month": month, "source": SOURCE_MIXED, "plan_version": None})
    return _sourced(result, {**dict.fromkeys(from_performed, SOURCE_PERFORMED),
                             **dict.fromkeys(from_plan, SOURCE_PLAN)})
