"""`flask reports run statement --year YEAR --output FILE.pdf`."""

import datetime as dt
import hashlib
import os
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from core.extensions import db
from core.models import AuditEvent
from core.roles import Role
from reports import services
from reports.models import ReportRun


def _invoke(app, *args):
    return app.test_cli_runner().invoke(args=["reports", "run", "statement", *args])


def test_the_command_writes_the_statement_pdf(app, tmp_path):
    out = tmp_path / "statement.pdf"
    result = _invoke(
        app, "--year", "2026", "--output", str(out), "--html", str(tmp_path / "s.html")
    )
    assert result.exit_code == 0, result.output
    assert "Wrote" in result.output and "pages" in result.output
    reader = PdfReader(out)
    assert reader.metadata.title.startswith("Short Breaks Services Statement 2026 to 2027")
    assert (tmp_path / "s.html").read_text().startswith("<!DOCTYPE html>")
    assert not list(tmp_path.glob(".*.tmp"))
    with app.app_context():
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "report_generated"))
        assert event is not None and str(out) in event.detail


def test_a_statement_made_by_the_command_line_is_listed_as_a_run(
    app, tmp_path, browser_as, records
):
    with app.app_context():
        records.child(dt.date(2015, 1, 1), since=dt.date(2025, 5, 1))
        db.session.commit()
    out, figures = tmp_path / "statement.pdf", tmp_path / "figures.csv"
    result = _invoke(app, "--year", "2025", "--output", str(out), "--csv", str(figures))
    assert result.exit_code == 0, result.output
    with app.app_context():
        (run,) = db.session.scalars(select(ReportRun)).all()
        db.session.expunge(run)
    assert run.status == "done" and run.requested_by_id is None and run.params == {"year": 2025}
    assert run.sha256 == hashlib.sha256(out.read_bytes()).hexdigest()
    assert run.csv_sha256 == hashlib.sha256(figures.read_bytes()).hexdigest()
    assert (Path(app.config["REPORTS_DIR"]) / run.file_path).read_bytes() == out.read_bytes()
    assert f"run {run.id}" in result.output
    assert "Writing the PDF: page 1 of" in result.output
    page = browser_as(Role.COMMISSIONER).get("/reports/").get_data(as_text=True)
    assert f'id="run-{run.id}"' in page and "Command line" in page
    download = browser_as(Role.COMMISSIONER).get(f"/reports/runs/{run.id}/pdf")
    assert download.status_code == 200 and download.get_data() == out.read_bytes()


def test_a_year_that_has_not_started_is_refused(app, tmp_path):
    next_year = services.financial_year_of(dt.date.today()) + 1
    result = _invoke(app, "--year", str(next_year), "--output", str(tmp_path / "s.pdf"))
    assert result.exit_code == 1
    assert "has not started yet" in result.output
    assert not (tmp_path / "s.pdf").exists()
    with app.app_context():
        assert db.session.scalars(select(ReportRun)).all() == []


@pytest.mark.parametrize(
    "year, message",
    [
        ("1999", "There are no figures for 1999 to 2000"),
        ("twenty", "4 digits"),
        ("", "Enter the financial year"),
    ],
)
def test_a_bad_year_is_a_clear_error(app, tmp_path, year, message):
    result = _invoke(app, "--year", year, "--output", str(tmp_path / "s.pdf"))
    assert result.exit_code == 1
    assert message in result.output
    assert not (tmp_path / "s.pdf").exists()


def test_an_unwritable_path_is_a_clear_error(app, tmp_path):
    missing = tmp_path / "no-such-folder" / "s.pdf"
    result = _invoke(app, "--year", "2026", "--output", str(missing))
    assert result.exit_code == 1 and "does not exist" in result.output
    result = _invoke(app, "--year", "2026", "--output", str(tmp_path / "s.txt"))
    assert result.exit_code == 1 and "must end in .pdf" in result.output
    result = _invoke(app, "--year", "2026", "--output", str(tmp_path))
    assert result.exit_code == 1 and "must end in .pdf" in result.output


def test_a_folder_that_refuses_the_file_is_a_clear_error_before_anything_is_made(
    app, tmp_path, monkeypatch
):
    from reports import runner

    made = []
    monkeypatch.setattr(runner, "execute", lambda *a, **k: made.append(a) or "done")
    # /proc refuses new files even to root, though it passes the permission checks.
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    target = locked / "s.pdf" if not os.access(locked, os.W_OK) else "/proc/s.pdf"
    try:
        result = _invoke(app, "--year", "2026", "--output", str(target))
    finally:
        locked.chmod(0o700)
    assert result.exit_code == 1
    assert f"Cannot write {target}" in result.output and "Traceback" not in result.output
    # Checked before the report was started: no run made, none listed.
    assert made == []
    with app.app_context():
        assert db.session.scalars(select(ReportRun)).all() == []
    assert not list(Path("/proc").glob(".s.pdf.*")) and not list(locked.iterdir())


def test_a_copy_that_fails_after_the_report_is_made_is_said_on_the_run(
    app, tmp_path, monkeypatch, browser_as
):
    """The statement was made and stored: the run stays done (downloadable from the reports
    page), and says plainly that the copy to FILE failed; the command exits 1."""
    out = tmp_path / "statement.pdf"
    real = services.write_atomic

    def full_disk(path, data):
        if Path(path) == out:
            raise OSError(28, "No space left on device")
        return real(path, data)

    monkeypatch.setattr(services, "write_atomic", full_disk)
    result = _invoke(app, "--year", "2026", "--output", str(out))
    assert result.exit_code == 1
    assert f"Cannot write {out}: No space left on device" in result.output
    assert "listed on the reports page as run" in result.output
    with app.app_context():
        (run,) = db.session.scalars(select(ReportRun)).all()
        db.session.expunge(run)
    assert run.status == "done" and run.sha256
    assert f"could not copy it to {out}" in run.error and "Download it from this page" in run.error
    assert "not copied" in run.progress
    page = browser_as(Role.COMMISSIONER).get(f"/reports/runs/{run.id}").get_data(as_text=True)
    assert f"could not copy it to {out}" in page
    listing = browser_as(Role.COMMISSIONER).get("/reports/").get_data(as_text=True)
    assert f"could not copy it to {out}" in listing
