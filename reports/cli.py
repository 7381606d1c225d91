"""`flask --app wsgi reports run statement --year 2026 --output FILE.pdf`."""

from __future__ import annotations

import hashlib
import os
import sys
from pathlib import Path

import click
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
    return path


@reports_cli.group("run")
def run_group():
    """Make a report now, in this process (no worker needed)."""


@run_group.command("statement")
@click.option("--year", required=True, help="Financial year starting 1 April, e.g. 2026")
@click.option("--output", required=True, help="The PDF file to write, e.g. statement.pdf")
@click.option("--html", "html_output", default=None, help="Also write the web page version")
def run_statement(year, output, html_output):
    """The Short Breaks Services Statement for a financial year, as an accessible PDF."""
    from .runner import build_statement

    try:
        year_number = services.parse_year(year)
    except services.ReportError as exc:
        _fail(str(exc))
    path = _check_output(output, ".pdf")
    html_path = _check_output(html_output, ".html") if html_output else None

    def progress(text):
        click.echo(f"  {text}", err=True)

    outputs, pages, _data_date = build_statement(year_number, progress)
    for target, data in ((path, outputs["pdf"]), (html_path, outputs["html"])):
        if target is None:
            continue
        try:
            services.write_atomic(target, data)
        except OSError as exc:
            _fail(f"Cannot write {target}: {exc.strerror or exc}")
    digest = hashlib.sha256(outputs["pdf"]).hexdigest()
    audit.record(
        "report_generated",
        "report",
        "statement",
        detail=f"Short Breaks Services Statement (year {services.year_label(year_number)}) "
        f"written to {path} by the command line; sha256={digest}",
    )
    db.session.commit()
    click.echo(f"Wrote {path} ({pages} pages, sha256 {digest})")
