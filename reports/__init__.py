"""Report jobs: the Short Breaks Services Statement and expenditure reports."""

from markupsafe import Markup, escape

from core.navigation import register
from core.roles import Role

from .views import blueprint

register(
    "Reports",
    "reports.index",
    # DESIGN.md: commissioners and service managers download the statement and expenditure
    # reports; no other role runs or downloads any report.
    [Role.COMMISSIONER],
    order=50,
)

# How often Celery beat removes report files older than REPORT_RETENTION_DAYS.
RETENTION_SCHEDULE_SECONDS = 3600.0
# How often it looks for runs whose worker died or whose message was lost (reports.jobs).
SWEEP_SCHEDULE_SECONDS = 60.0


def init_app(app) -> None:
    """Called by core after the blueprint is registered: CLI, template filters, beat entry."""
    from . import jobs, services, tasks  # noqa: F401 - registers the Celery tasks
    from .cli import reports_cli
    from .times import uk_date, uk_datetime

    app.cli.add_command(reports_cli)
    app.add_template_filter(lambda run: services.report_type(run.report_type).label, "report_label")
    app.add_template_filter(services.params_text, "report_params")
    app.add_template_filter(_narrative_html, "narrative_html")
    app.add_template_filter(uk_datetime, "uk_datetime")
    app.add_template_filter(uk_date, "uk_date")
    app.add_template_test(jobs.is_stalled, "stalled_report")
    app.jinja_env.globals["report_stalled_text"] = jobs.STALLED_TEXT
    celery = app.extensions.get("celery")
    if celery is not None:
        celery.conf.beat_schedule["reports-expire-old-files"] = {
            "task": "reports.expire_old_files",
            "schedule": RETENTION_SCHEDULE_SECONDS,
        }
        celery.conf.beat_schedule["reports-sweep-lost-runs"] = {
            "task": "reports.sweep_runs",
            "schedule": SWEEP_SCHEDULE_SECONDS,
        }


def _narrative_html(text: str) -> Markup:
    from .narrative import paragraphs

    return Markup("").join(
        Markup('<p class="govuk-body">{}</p>').format(escape(p)) for p in paragraphs(text or "")
    )


__all__ = ["blueprint", "init_app"]
