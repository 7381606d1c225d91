"""`flask --app wsgi reports run statement --year 2026 --output FILE.pdf`."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from core import audit
from core.extensions import db

from . import services

reports_cli = AppGroup("reports", help="Make reports from the command line.")


def _fail(message: str) -> None:
    click.echo(f"Error: {message}", err=True)
    sys.exit(1)


def _check_output(output: str, suffix: str) -> Path:
    path = Path(output).expanduser()
    if path.suffix.lower() != suffix:
        _fail(f"The output file must end in {suffix}: {output}")
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        _fail(f"The folder {folder} does not exist")
    if path.is_dir():
        _fail(f"{output} is a folder, not a file")
    if not os.access(folder, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
        _fail(f"Cannot write to {output}: permission denied")
    # Permissions are not the whole story (a read-only or full disk, /proc, a network share):
    # try writing a file beside it now, before the report is made, not after.
    try:
        with tempfile.NamedTemporaryFile(dir=folder, prefix=f".{path.name}.", suffix=".check"):
            pass
    except OSError as exc:
        _fail(f"Cannot write {output}: {exc.strerror or exc}")
    return path


@reports_cli.group("run")
def run_group():
    """Make a report now, in this process (no worker needed)."""


@run_group.command("statement")
@click.option("--year", required=True, help="Financial year starting 1 April, e.g. 2026")
@click.option("--output", required=True, help="The PDF file to write, e.g. statement.pdf")
@click.option("--html", "html_output", default=None, help="Also write the web page version")
@click.option("--csv", "csv_output", default=None, help="Also write the CSV of its figures")
def run_statement(year, output, html_output, csv_output):
    """The Short Breaks Services Statement for a financial year, as an accessible PDF.

    The run is recorded like one asked for on the reports page (asked for by "Command
    line"), with its files stored in the reports folder, so it is listed there too."""
    from . import runner

    try:
        params = services.statement_params(year)
    except services.ReportError as exc:
        _fail(str(exc))
    targets = {"pdf": _check_output(output, ".pdf")}
    if html_output:
        targets["html"] = _check_output(html_output, ".html")
    if csv_output:
        targets["csv"] = _check_output(csv_output, ".csv")

    run = services.command_line_run("statement", params)
    db.session.commit()
    run_id = run.id
    try:
        status = runner.execute(run_id, echo=lambda text: click.echo(f"  {text}", err=True))
    except Exception as exc:  # noqa: BLE001 - recorded on the run and reported below
        runner.record_problem(run_id, exc, final=True)
        _fail(services.readable_error(exc))
    run = services.get_run(run_id)
    if status != "done":
        _fail(run.error or f"The report was not made ({status})")
    base = services.reports_dir(current_app)
    for fmt, target in targets.items():
        try:
            services.write_atomic(target, (base / services.stored_name(run, fmt)).read_bytes())
        except OSError as exc:
            # The statement itself was made and stored: the run stays done (it can be
            # downloaded from the reports page), and says that the copy failed.
            problem = f"Cannot write {target}: {exc.strerror or exc}"
            services.note_copy_failed(run, str(target), exc)
            db.session.commit()
            _fail(
                f"{problem}. The statement was made and is listed on the reports page as run "
                f"{run.id}, where it can be downloaded."
            )
    path = targets["pdf"]
    audit.record(
        "report_generated",
        "report_run",
        run.id,
        detail=f"{services.describe(run)} written to {path} by the command line; "
        f"sha256={run.sha256}",
    )
    db.session.commit()
    click.echo(
        f"Wrote {path} ({run.pages} pages, sha256 {run.sha256}); "
        f"listed on the reports page as run {run.id}"
    )
