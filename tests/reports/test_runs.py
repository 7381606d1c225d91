"""Report runs: states, de-duplication, retries, idempotence, atomic files and retention."""

import datetime as dt
import hashlib
from pathlib import Path

import pytest
from sqlalchemy import select

from core.extensions import db
from core.models import AuditEvent
from core.roles import Role
from reports import runner, services
from reports.models import ReportRun


def _task(app, name="reports.generate"):
    # The task as registered on this app's Celery (eager: runs here, retries included).
    return app.extensions["celery"].tasks[name]


@pytest.fixture
def commissioner(make_user):
    return make_user(Role.COMMISSIONER)


def _request(app, user, year=2026):
    with app.test_request_context():
        run, created = services.request_run("statement", {"year": year}, user)
        db.session.commit()
        return run.id, created


def _run(app, run_id) -> ReportRun:
    with app.app_context():
        run = db.session.get(ReportRun, run_id)
        db.session.expunge(run)
        return run


def test_identical_requests_while_one_is_queued_make_one_run(app, commissioner):
    first, created = _request(app, commissioner)
    again, created_again = _request(app, commissioner)
    other_year, created_other = _request(app, commissioner, 2025)
    assert created and not created_again and created_other
    assert again == first and other_year != first
    run = _run(app, first)
    assert run.status == "queued" and run.progress == "Waiting for a worker"
    with app.app_context():
        actions = db.session.scalars(
            select(AuditEvent.action).where(AuditEvent.record_id == str(first))
        ).all()
    assert actions.count("report_requested") == 1


def test_a_finished_run_does_not_block_a_new_request(app, commissioner):
    first, _ = _request(app, commissioner)
    _task(app).apply(args=[first])
    assert _run(app, first).status == "done"
    second, created = _request(app, commissioner)
    assert created and second != first


def test_a_run_is_made_once_with_its_files_hash_and_data_date(app, commissioner):
    run_id, _ = _request(app, commissioner)
    result = _task(app).apply(args=[run_id])
    assert result.get() == "done"
    run = _run(app, run_id)
    assert run.status == "done" and run.attempts == 1 and run.active_key is None
    base = Path(app.config["REPORTS_DIR"])
    pdf = (base / run.file_path).read_bytes()
    assert pdf.startswith(b"%PDF") and hashlib.sha256(pdf).hexdigest() == run.sha256
    html = (base / run.html_path).read_bytes()
    assert hashlib.sha256(html).hexdigest() == run.html_sha256
    assert run.data_date is not None and run.pages >= 5
    assert run.progress.startswith("Finished")
    # A redelivered message for a finished run changes nothing.
    assert _task(app).apply(args=[run_id]).get() == "done"
    assert _run(app, run_id).attempts == 1
    assert not list(base.glob(".*.tmp"))


def test_progress_names_the_real_steps_and_the_pages_as_they_are_written(
    app, commissioner, monkeypatch
):
    seen = []
    real = services.set_progress

    def record(run, text):
        seen.append(text)
        real(run, text)

    monkeypatch.setattr(services, "set_progress", record)
    run_id, _ = _request(app, commissioner)
    _task(app).apply(args=[run_id])
    pages = _run(app, run_id).pages
    steps = [
        "Laying out the pages",
        f"Writing the PDF: {pages} pages",
        f"Writing the PDF: page 1 of {pages}",
        "Writing the PDF: tagging its tables for assistive technology",
        "Saving the files",
    ]
    assert [seen.index(s) for s in steps] == sorted(seen.index(s) for s in steps), seen
    assert "Counting children: register, 2026 to 2027" in seen


def test_a_run_left_running_by_a_dead_worker_is_made_again(app, commissioner):
    run_id, _ = _request(app, commissioner)
    with app.app_context():
        run = db.session.get(ReportRun, run_id)
        services.start(run)  # as if a worker began it and was killed
        db.session.commit()
    assert _task(app).apply(args=[run_id]).get() == "done"
    run = _run(app, run_id)
    assert run.status == "done" and run.attempts == 2


def test_a_run_that_kills_its_worker_every_time_is_given_up_after_four_attempts(app, commissioner):
    run_id, _ = _request(app, commissioner)
    with app.app_context():
        run = db.session.get(ReportRun, run_id)
        for _ in range(runner.MAX_ATTEMPTS):
            services.start(run)  # each attempt's worker died mid-way
        db.session.commit()
    assert _task(app).apply(args=[run_id]).get() == "failed"
    run = _run(app, run_id)
    assert run.status == "failed" and "stopped its worker 4 times" in run.error
    assert run.active_key is None and run.file_path == ""


def test_a_failed_attempt_is_retried_and_its_reason_kept_until_it_succeeds(
    app, commissioner, monkeypatch
):
    calls = []
    real = runner.GENERATORS["statement"]

    def flaky(params, progress):
        calls.append(1)
        if len(calls) == 1:
            raise OSError(28, "No space left on device")
        return real(params, progress)

    monkeypatch.setitem(runner.GENERATORS, "statement", flaky)
    run_id, _ = _request(app, commissioner)
    _task(app).apply(args=[run_id])
    run = _run(app, run_id)
    assert run.status == "done" and run.attempts == 2 and run.error == ""


def test_a_run_failing_every_time_ends_failed_with_a_readable_reason(
    app, commissioner, monkeypatch
):
    def broken(params, progress):
        progress("Collecting figures")
        raise OSError(13, "Permission denied")

    monkeypatch.setitem(runner.GENERATORS, "statement", broken)
    run_id, _ = _request(app, commissioner)
    assert _task(app).apply(args=[run_id]).get() == "failed"
    run = _run(app, run_id)
    assert run.status == "failed" and run.attempts == 4
    assert "could not be saved" in run.error and "Permission denied" in run.error
    assert run.file_path == "" and run.active_key is None
    # A failed run no longer blocks asking again.
    assert _request(app, commissioner)[1]


def test_a_file_that_fails_half_way_is_never_left_or_marked_done(app, commissioner, monkeypatch):
    import reports.services as svc

    real_replace = svc.os.replace
    attempts = []

    def crash_once(src, dst):
        attempts.append(dst)
        if len(attempts) == 1:
            raise OSError(5, "Input/output error")
        return real_replace(src, dst)

    monkeypatch.setattr(svc.os, "replace", crash_once)
    run_id, _ = _request(app, commissioner)
    base = Path(app.config["REPORTS_DIR"])
    (base / f"{runner.file_stem(_run(app, run_id))}.pdf").unlink(missing_ok=True)
    with app.app_context():
        with pytest.raises(OSError):
            runner.execute(run_id)
        runner.record_problem(
            run_id, OSError(5, "Input/output error"), final=False, next_attempt=2, attempts=4
        )
    run = _run(app, run_id)
    assert run.status == "queued" and run.sha256 == ""
    assert not (base / f"{runner.file_stem(run)}.pdf").exists()
    assert not list(base.glob(".*.tmp"))
    assert "Trying again (attempt 2 of 4)" in run.progress
    assert _task(app).apply(args=[run_id]).get() == "done"


def test_files_past_retention_are_removed_and_the_run_listed_as_expired(
    app, commissioner, browser_as
):
    old_id, _ = _request(app, commissioner, 2025)
    new_id, _ = _request(app, commissioner, 2026)
    _task(app).apply(args=[old_id])
    _task(app).apply(args=[new_id])
    base = Path(app.config["REPORTS_DIR"])
    old = _run(app, old_id)
    with app.app_context():
        run = db.session.get(ReportRun, old_id)
        run.finished_at -= dt.timedelta(days=app.config["REPORT_RETENTION_DAYS"] + 1)
        db.session.commit()
    assert _task(app, "reports.expire_old_files").apply().get() == 1
    expired, kept = _run(app, old_id), _run(app, new_id)
    assert expired.status == "expired" and expired.expired_at is not None
    assert not (base / old.file_path).exists() and not (base / old.html_path).exists()
    assert not (base / old.csv_path).exists()
    assert kept.status == "done" and (base / kept.file_path).exists()
    page = browser_as(user=commissioner).get("/reports/").get_data(as_text=True)
    assert f'id="run-{old_id}"' in page and "Expired" in page


def test_a_statement_marked_published_is_kept_whatever_its_age(app, commissioner, browser_as):
    run_id, _ = _request(app, commissioner, 2024)
    _task(app).apply(args=[run_id])
    with app.test_request_context():
        run = db.session.get(ReportRun, run_id)
        services.keep(run, commissioner)
        run.finished_at -= dt.timedelta(days=app.config["REPORT_RETENTION_DAYS"] * 3)
        db.session.commit()
    assert _task(app, "reports.expire_old_files").apply().get() == 0
    kept = _run(app, run_id)
    base = Path(app.config["REPORTS_DIR"])
    assert kept.status == "done" and (base / kept.file_path).exists()
    assert (base / kept.csv_path).exists()
    with app.test_request_context():
        services.release(db.session.get(ReportRun, run_id), commissioner)
        db.session.commit()
    assert _task(app, "reports.expire_old_files").apply().get() == 1
    expired = _run(app, run_id)
    assert expired.status == "expired" and not (base / kept.csv_path).exists()


def test_retention_is_scheduled_with_celery_beat(app):
    entry = app.extensions["celery"].conf.beat_schedule["reports-expire-old-files"]
    assert entry["task"] == "reports.expire_old_files"
    assert "reports.expire_old_files" in app.extensions["celery"].tasks


def test_a_run_lost_by_the_broker_does_not_block_requests_for_ever(app, commissioner):
    run_id, _ = _request(app, commissioner)
    with app.app_context():
        run = db.session.get(ReportRun, run_id)
        run.updated_at -= services.STALE_AFTER + dt.timedelta(minutes=1)
        db.session.commit()
    new_id, created = _request(app, commissioner)
    assert created and new_id != run_id
    lost = _run(app, run_id)
    assert lost.status == "failed" and "lost" in lost.error


def test_years_are_checked():
    assert services.parse_year("2026") == 2026
    this_year = services.financial_year_of(dt.date.today())
    assert services.parse_year(str(this_year)) == this_year == services.latest_year()
    for bad in ("", "26", "abcd", "2010", "２０２６", "²026", str(this_year + 1)):
        with pytest.raises(services.ReportError):
            services.parse_year(bad)
    with pytest.raises(services.ReportError, match="has not started yet"):
        services.parse_year(str(this_year + 1))
    assert services.parse_text_year(str(this_year + 1)) == this_year + 1
    assert services.financial_year_of(dt.date(2027, 3, 31)) == 2026
    assert services.financial_year_of(dt.date(2027, 4, 1)) == 2027
    assert services.latest_year(dt.date(2027, 3, 31)) == 2026
    assert services.latest_year(dt.date(2027, 4, 1)) == 2027
