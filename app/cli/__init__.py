"""The `homecare` command. Each sub-command lives in its own module under app/cli/, on a Typer of its
own; they are registered here, in the order `homecare --help` lists them.

A command imports the web app's layers (database, services, the demo) inside its function, so that
`homecare --help`, `homecare plan` and `homecare audit` start without loading what they do not use."""

from __future__ import annotations

import typer

from app.cli import admin, audit, backup, generate, plan, plan_team, replan, serve, worker

app = typer.Typer(
    name="homecare",
    help="Home-care continuity planner: plan visits with few faces, steady times and low travel.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

for commands in (serve.app, admin.app, backup.app, plan.app, plan_team.app, replan.app, audit.app,
                 generate.app, worker.app):
    app.add_typer(commands)
app.add_typer(serve.export_app, name="export")


def main() -> None:
    app()
