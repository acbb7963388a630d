"""File-only audits (no database): what `homecare audit` and the bench use.

- `audit_performed_file`: a performed-visit CSV/JSON, optionally with the instance (for needs, standard
  minutes, teams, contacts), a plan (plan versus reality) and a citizens file (birth years, teams, contacts,
  absences).
- `audit_plan_files`: a homecare-plan/1 against its homecare-instance/1.
- `write_plan_as_performed`: a plan written out as performed rows (the import format).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from app.audit.figures import Audit, run_audit
from app.audit.inputs import (
    Alias,
    AuditInput,
    audit_plan,
    instance_citizens,
    instance_planned,
    plain,
    rows_from_plan,
)
from app.audit.performed import (
    CitizenFacts,
    KnownIds,
    PerformedFileError,
    PerformedRow,
    RowError,
    parse_path,
    write_csv,
)
from app.audit.report import render_html
from app.audit.stats import MonthKey


def load_citizen_facts(path: str | Path) -> dict[str, CitizenFacts]:
    """Citizens file: CSV or JSON rows with ``citizen`` (or ``id``) and any of ``birth_year``, ``team``,
    ``contact``, ``absent_from``/``absent_to`` (dates, inclusive; one absence per row, a citizen may repeat).
    An instance file (homecare-instance/1) also works: its citizens are read."""
    p = Path(path)
    text = p.read_text(encoding="utf-8-sig")
    records: list[dict[str, Any]]
    if p.suffix.lower() == ".json" or text.lstrip()[:1] in "[{":
        data = json.loads(text)
        if isinstance(data, dict):
            data = data.get("citizens", [])
        records = list(data)
    else:
        records = list(csv.DictReader(io.StringIO(text)))
    facts: dict[str, CitizenFacts] = {}
    errors: list[RowError] = []
    for i, rec in enumerate(records, start=2 if p.suffix.lower() != ".json" else 1):
        unit = "line" if p.suffix.lower() != ".json" else "item"
        cid = str(rec.get("citizen") or rec.get("id") or "").strip()
        if not cid:
            errors.append(RowError(i, "no citizen id", "citizen", unit))
            continue
        f = facts.setdefault(cid, CitizenFacts())
        try:
            if rec.get("birth_year") not in (None, ""):
                f.birth_year = int(rec["birth_year"])
            if rec.get("team"):
                f.team = str(rec["team"])
            if rec.get("contact"):
                f.contact = str(rec["contact"])
            if rec.get("absent_from"):
                a = dt.date.fromisoformat(str(rec["absent_from"]).strip()[:10])
                b = dt.date.fromisoformat(str(rec.get("absent_to") or rec["absent_from"]).strip()[:10])
                if b < a:
                    raise ValueError("absence ends before it starts")
                f.absences.append((a, b))
        except (TypeError, ValueError) as e:
            errors.append(RowError(i, f"bad value: {e}", None, unit))
    if errors:
        raise PerformedFileError(errors)
    return facts


def merge_facts(base: dict[str, CitizenFacts], extra: Mapping[str, CitizenFacts]) -> dict[str, CitizenFacts]:
    """`extra` fills in and overrides what `base` knows (absences add up)."""
    out = dict(base)
    for cid, f in extra.items():
        b = out.get(cid)
        if b is None:
            out[cid] = f
            continue
        out[cid] = CitizenFacts(
            team=f.team or b.team,
            contact=f.contact or b.contact,
            birth_year=f.birth_year if f.birth_year is not None else b.birth_year,
            absences=[*b.absences, *f.absences],
        )
    return out


def known_ids(instance: Mapping[str, Any]) -> KnownIds:
    return KnownIds(
        citizens={p["id"] for p in instance["citizens"]},
        carers={c["id"] for c in instance["carers"]},
        visits={v["id"]: v["citizen"] for v in instance["visits"]},
    )


def performed_input(
    rows: list[PerformedRow],
    *,
    instance: Mapping[str, Any] | None = None,
    plan: Mapping[str, Any] | None = None,
    citizens: Mapping[str, CitizenFacts] | None = None,
    period_start: dt.date | None = None,
) -> AuditInput:
    facts: dict[str, CitizenFacts] = instance_citizens(instance) if instance else {}
    facts = merge_facts(facts, citizens or {})
    return AuditInput(
        rows=rows,
        source="performed",
        citizens=facts,
        planned=instance_planned(instance, plan) if instance else {},
        has_plan=plan is not None,
        cap=int(instance.get("max_carers_per_month", 12)) if instance else 12,
        anchor=period_start,
        name=instance.get("name") if instance else None,
    )


def audit_performed_file(
    path: str | Path,
    *,
    instance: Mapping[str, Any] | None = None,
    plan: Mapping[str, Any] | None = None,
    citizens: Mapping[str, CitizenFacts] | None = None,
    month: MonthKey | None = None,
    team: str | None = None,
    period_start: dt.date | None = None,
    alias: Alias = plain,
) -> dict[str, Any]:
    """Validate and audit a performed-visit file. Raises PerformedFileError listing every bad row."""
    rows = parse_path(path, known_ids(instance) if instance else None)
    inp = performed_input(rows, instance=instance, plan=plan, citizens=citizens, period_start=period_start)
    audit, figures = run_audit(inp, month=month, team=team, alias=alias)
    return {"input": inp, "audit": audit, "figures": figures}


def audit_plan_files(
    instance: Mapping[str, Any],
    plan: Mapping[str, Any],
    *,
    month: MonthKey | None = None,
    team: str | None = None,
    citizens: Mapping[str, CitizenFacts] | None = None,
    alias: Alias = plain,
) -> dict[str, Any]:
    inp = audit_plan(instance, plan)
    if citizens:
        inp.citizens = merge_facts(inp.citizens, citizens)
    audit, figures = run_audit(inp, month=month, team=team, alias=alias)
    return {"input": inp, "audit": audit, "figures": figures}


def write_plan_as_performed(
    instance: Mapping[str, Any],
    plan: Mapping[str, Any],
    path: str | Path | None,
    citizens: Mapping[str, CitizenFacts] | None = None,
) -> str | int:
    """Write `plan` as performed rows (CSV, or JSON when `path` ends in .json). With path None, returns the
    CSV text; else the number of rows written."""
    facts = merge_facts(instance_citizens(instance), citizens or {})
    rows = rows_from_plan(instance_planned(instance, plan).values(), facts)
    if path is None:
        buf = io.StringIO()
        write_csv(rows, buf)
        return buf.getvalue()
    p = Path(path)
    if p.suffix.lower() == ".json":
        p.write_text(
            json.dumps(
                [
                    {
                        "citizen": r.citizen,
                        "carer": r.carer,
                        "start": r.start.isoformat(timespec="minutes"),
                        "end": r.end.isoformat(timespec="minutes"),
                        "visit": r.visit,
                        "need": r.need,
                        "team": r.team,
                        **({"birth_year": r.birth_year} if r.birth_year else {}),
                    }
                    for r in rows
                ]
            ),
            encoding="utf-8",
        )
        return len(rows)
    with open(p, "w", encoding="utf-8", newline="") as f:
        return write_csv(rows, f)


def html_report(
    audit: Audit, figures: Mapping[str, Any], alias: Alias = plain, title: str | None = None
) -> str:
    return render_html(audit, figures, alias=alias, title=title)
