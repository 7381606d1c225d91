"""`flask reports run statement --year YEAR --output FILE.pdf`."""

import os

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from core.extensions import db
from core.models import AuditEvent


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


@pytest.mark.parametrize(
    "year, message",
    [("1999", "between 2011 and"), ("twenty", "4 digits"), ("", "Enter the financial year")],
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


def test_a_folder_that_refuses_the_file_is_a_clear_error(app, tmp_path):
    # /proc refuses new files even to root, after every check on the path has passed.
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
