"""`homecare audit`: continuity figures from a performed-visit file or a plan file, without a database.

    homecare audit PERFORMED.csv [--json]                     validate the file and print the figures
    homecare audit PERFORMED.csv --instance I.json --plan P.json   ... with needs, teams, plan versus reality
    homecare audit --instance I.json --plan P.json [--json]   audit a plan
    homecare audit --instance I.json --plan P.json --write-performed OUT.csv   a plan as performed rows

Bad input: every bad row on stderr with its line number, exit status 2. With --json the last line of
stdout is one JSON object (keys as the verifier's for the distinct-carer figures; `national_14d` for the
national measure).
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

app = typer.Typer()  # its commands are registered in app/cli/__init__.py


def _fail(message: str) -> typer.Exit:
    typer.echo(message, err=True)
    return typer.Exit(code=2)


def _month(value: str | None) -> tuple[int, int] | None:
    if value is None:
        return None
    try:
        d = dt.date.fromisoformat(value + "-01" if len(value) == 7 else value)
    except ValueError:
        raise _fail(f"--month {value!r}: expected YYYY-MM") from None
    return (d.year, d.month)


def _load_json(path: Path, what: str) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        raise _fail(f"{what} {path}: unreadable: {e}") from None


def _print_human(f: dict[str, Any]) -> None:
    m, q = f["distinct_carers_per_citizen_month"], f["distinct_carers_per_citizen_14d"]
    out = [
        f"source: {f['source']}  {f['first_date']} .. {f['last_date']}  "
        f"(14-day periods from {f['period_anchor']})",
        f"visits: {f['visits']}  carer-visits: {f['rows']}  citizens: {f['citizens']}  carers: {f['carers']}",
        f"distinct carers per citizen per month: mean {m['mean']} median {m['median']} "
        f"p90 {m['p90']} max {m['max']}",
        f"distinct carers per citizen per 14 days: mean {q['mean']} median {q['median']} "
        f"p90 {q['p90']} max {q['max']}",
        f"contact carer share: {f['contact_carer_share']}",
        f"start-time spread (SD, min): {f['start_time_sd_minutes']}",
        f"new-face visits: {f['new_faces']['visits']} ({f['new_faces']['share']})",
        f"cap {f['cap']} breaches: {len(f['cap_breaches'])}",
    ]
    for b in f["cap_breaches"][:10]:
        causes = ", ".join(f"{c['carer']} at {c['at']}" for c in b["caused_by"])
        out.append(f"  {b['citizen']} {b['month']}: {b['distinct_carers']} carers; over the cap: {causes}")
    n = f.get("national_14d")
    if n:
        out.append(
            f"national 14-day measure: mean {n['mean']}  share over 20 {n['share_over_20']}  "
            f"measured {n['recipients']}  not measured {n['excluded']}"
        )
        if n.get("note"):
            out.append(f"  note: {n['note']}")
    pr = f.get("plan_vs_reality")
    if pr:
        out.append(
            f"plan vs reality: {pr['performed_as_planned']} as planned, {pr['performed_by_other_carers']} by "
            f"other carers, {pr['planned_not_performed']} not performed, {pr['performed_without_plan']} "
            f"unplanned; distinct/month {pr['distinct_carers_month_planned']['mean']} -> "
            f"{pr['distinct_carers_month_performed']['mean']}"
        )
    sm = f.get("standard_minutes")
    if sm and f["source"] == "performed":
        for need, s in sm["needs"].items():
            out.append(
                f"  {need}: planned {s['planned_minutes_mean']} min, performed {s['performed_minutes_mean']} "
                f"min, within ±5 min {s['within_5_min_share']}"
            )
    out.append("worst cases:")
    for w in f["worst_cases"][:5]:
        out.append(f"  {w['citizen']} {w['month']}: {w['distinct_carers']} carers - {w['why']}")
    typer.echo("\n".join(out))


@app.command()
def audit(
    performed: Annotated[Path | None, typer.Argument(help="Performed visits (CSV or JSON).")] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Last line: the figures as one JSON object.")
    ] = False,
    instance: Annotated[
        Path | None, typer.Option(help="homecare-instance/1: needs, teams, contacts, ids.")
    ] = None,
    plan: Annotated[
        Path | None, typer.Option(help="homecare-plan/1: audit it, or compare reality with it.")
    ] = None,
    citizens: Annotated[
        Path | None,
        typer.Option(help="Citizens CSV/JSON: citizen, birth_year, team, contact, absent_from, absent_to."),
    ] = None,
    month: Annotated[str | None, typer.Option(help="Only this calendar month, YYYY-MM.")] = None,
    team: Annotated[str | None, typer.Option(help="Only this team's citizens.")] = None,
    period_start: Annotated[
        str | None,
        typer.Option(
            help="First day of the first 14-day period (default: first date in the file, or the instance's)."
        ),
    ] = None,
    csv_out: Annotated[Path | None, typer.Option("--csv", help="Write the per-citizen table here.")] = None,
    html_out: Annotated[Path | None, typer.Option("--html", help="Write the HTML report here.")] = None,
    pseudonym_key: Annotated[
        str | None,
        typer.Option("--pseudonymise", help="Key: show citizens and carers as keyed HMAC pseudonyms."),
    ] = None,
    write_performed: Annotated[
        Path | None,
        typer.Option(
            help="With --instance and --plan: write the plan as performed rows (CSV or .json) and stop."
        ),
    ] = None,
) -> None:
    """Continuity audit: distinct carers per citizen (month, 14 days), the national measure, and why."""
    from app.audit import files
    from app.audit.performed import PerformedFileError
    from app.audit.pseudonym import Pseudonymiser
    from app.audit.report import citizen_csv, render_html

    inst = _load_json(instance, "instance") if instance else None
    plan_doc = _load_json(plan, "plan") if plan else None
    for doc, fmt, what in ((inst, "homecare-instance/1", "instance"), (plan_doc, "homecare-plan/1", "plan")):
        if doc is not None and (not isinstance(doc, dict) or doc.get("format") != fmt):
            raise _fail(f"{what}: format must be {fmt}")
    if inst is not None:
        from exchange import ExchangeError, parse_instance, parse_plan

        try:
            parsed = parse_instance(inst)
            if plan_doc is not None:
                parse_plan(plan_doc, parsed)
        except ExchangeError as e:
            raise _fail("\n".join(f"instance/plan: {x['path']}: {x['msg']}" for x in e.errors)) from None
    start = None
    if period_start:
        try:
            start = dt.date.fromisoformat(period_start)
        except ValueError:
            raise _fail(f"--period-start {period_start!r}: expected YYYY-MM-DD") from None
    mk = _month(month)
    alias = Pseudonymiser(pseudonym_key) if pseudonym_key else None

    if write_performed is not None:
        if inst is None or plan_doc is None:
            raise _fail("--write-performed needs --instance and --plan")
        n = files.write_plan_as_performed(inst, plan_doc, write_performed)
        typer.echo(f"wrote {n} performed rows to {write_performed}", err=True)
        return
    facts = None
    if citizens is not None:
        try:
            facts = files.load_citizen_facts(citizens)
        except PerformedFileError as e:
            raise _fail(
                f"{citizens}: {len(e.errors)} bad row(s)\n" + "\n".join(f"  {x}" for x in e.errors)
            ) from None
        except (OSError, UnicodeDecodeError, ValueError) as e:
            raise _fail(f"{citizens}: unreadable: {e}") from None
    try:
        if performed is not None:
            if not performed.exists():
                raise _fail(f"{performed}: no such file")
            result = files.audit_performed_file(
                performed,
                instance=inst,
                plan=plan_doc,
                citizens=facts,
                month=mk,
                team=team,
                period_start=start,
                **({"alias": alias} if alias else {}),
            )
        elif inst is not None and plan_doc is not None:
            result = files.audit_plan_files(
                inst, plan_doc, month=mk, team=team, citizens=facts, **({"alias": alias} if alias else {})
            )
        else:
            raise _fail("give a performed-visit file, or --instance and --plan")
    except PerformedFileError as e:
        typer.echo(f"{performed}: {len(e.errors)} bad row(s); nothing was audited", err=True)
        for err in e.errors:
            typer.echo(f"  {err}", err=True)
        raise typer.Exit(code=2) from None
    except (OSError, UnicodeDecodeError) as e:
        raise _fail(f"cannot read input: {e}") from None
    figures = result["figures"]
    if csv_out is not None:
        csv_out.write_text(
            citizen_csv(result["audit"], result["audit"].national_people, alias or (lambda k, v: v)),
            encoding="utf-8",
        )
    if html_out is not None:
        html_out.write_text(
            render_html(
                result["audit"], figures, alias=alias or (lambda k, v: v), pseudonymised=alias is not None
            ),
            encoding="utf-8",
        )
    if as_json:
        sys.stdout.write(json.dumps(figures, ensure_ascii=False, separators=(",", ":")) + "\n")
    else:
        _print_human(figures)
