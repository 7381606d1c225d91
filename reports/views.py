"""Routes of the reports package: parse, check access, call a service, render."""

from __future__ import annotations

import datetime as dt

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_login import current_user
from sqlalchemy.exc import OperationalError

from core.access import refuse, roles_required
from core.celery_app import enqueue_after_commit
from core.extensions import db
from core.pagination import paginate, pagination_params, past_last_page
from core.parsing import whole_number
from core.roles import Role

from . import narrative, services
from .forms import ApproveForm, KeepForm, NarrativeForm, StatementRequestForm
from .services import FORMATS, KEEP_ROLES, NARRATIVE_ROLES, REPORT_TYPES, ReportError

blueprint = Blueprint("reports", __name__, url_prefix="/reports", template_folder="templates")

# Every report is a commissioner's (DESIGN.md): other roles are refused every page, so that
# they cannot tell which run ids exist either.
ROLES = (Role.COMMISSIONER,)
STATEMENT_ROLES = REPORT_TYPES["statement"].roles


def _page(form=None, status=200):
    types = services.types_for(current_user)
    pager = paginate(services.runs_query(current_user)) if types else None
    beyond = past_last_page(pager, "reports.index") if pager is not None else None
    if beyond:
        return beyond
    runs = list(pager.items) if pager else []
    year = services.financial_year_of(dt.date.today())
    form = form or StatementRequestForm(formdata=None, year=str(year))
    sections = narrative.status(year)
    return (
        render_template(
            "reports/index.html",
            types=types,
            runs=runs,
            pagination=pagination_params(pager, "reports.index") if pager else None,
            any_active=any(r.is_active for r in runs),
            form=form,
            may_edit_text=current_user.has_role(*NARRATIVE_ROLES),
            current_year=year,
            current_year_label=services.year_label(year),
            sections=sections,
            sections_approved=sum(1 for s in sections if not s["draft"]),
            sections_total=len(sections),
        ),
        status,
    )


@blueprint.get("/")
@roles_required(*ROLES)
def index():
    return _page()


@blueprint.post("/statement")
@roles_required(*STATEMENT_ROLES)
def request_statement():
    form = StatementRequestForm()
    if not form.validate_on_submit():
        return _page(form, 400)
    try:
        params = services.statement_params(form.year.data)
    except ReportError as exc:
        form.year.errors.append(str(exc))
        return _page(form, 400)
    try:
        run, created = services.request_run("statement", params, current_user)
    except OperationalError:
        # SQLite only: an identical request committed first and this transaction cannot
        # write any more. Start again from what is now committed: that request's run.
        db.session.rollback()
        run, created = services.request_run("statement", params, current_user)
    if created:
        # The task as registered on this app's Celery (its broker), not the process default.
        enqueue_after_commit(current_app.extensions["celery"].tasks["reports.generate"], run.id)
        flash(f"The statement for {services.params_text(run)} is being made.", "success")
    else:
        flash(
            f"The statement for {services.params_text(run)} is already being made: "
            "it is in the list below.",
            "info",
        )
    return redirect(url_for("reports.index", _anchor=f"run-{run.id}"))


@blueprint.get("/runs.json")
@roles_required(*ROLES)
def runs_json():
    """Status of the runs on the reports page, for the page's script to update it in place."""
    raw = request.args.get("ids", "").split(",")[:100]
    wanted = {n for n in (whole_number(i, 1) for i in raw) if n is not None}
    runs = services.runs_by_id(current_user, wanted)
    return jsonify(
        active=any(r.is_active for r in runs),
        runs=[
            {
                "id": r.id,
                "status": r.status,
                "progress": r.progress,
                "summary": f"{services.describe(r)}: {r.status}",
                "html": render_template("reports/_run_row.html", run=r),
            }
            for r in runs
        ],
    )


def _visible_run(run_id: int):
    run = services.get_run(run_id)
    if run is None:
        abort(404)
    if not services.may_use(current_user, run.report_type):
        refuse("report type", "report_run", run.id)
    return run


@blueprint.get("/runs/<int:run_id>")
@roles_required(*ROLES)
def run_detail(run_id):
    run = _visible_run(run_id)
    return render_template(
        "reports/run.html",
        run=run,
        keep_form=KeepForm(formdata=None),
        may_keep=current_user.has_role(*KEEP_ROLES),
        missing=[FORMATS[f][1] for f in services.missing_files(current_app, run)],
    )


@blueprint.post("/runs/<int:run_id>/keep")
@roles_required(*KEEP_ROLES)
def keep(run_id):
    """Mark a finished statement "Published — keep" (or undo it): retention spares its files."""
    run = _visible_run(run_id)
    form = KeepForm()
    if not form.validate_on_submit() or form.action.data not in ("keep", "release"):
        abort(400)
    try:
        if form.action.data == "keep":
            services.keep(run, current_user)
            message = "Marked as published: its files will be kept whatever the retention."
        else:
            services.release(run, current_user)
            message = "No longer marked as published: its files will be removed by retention."
    except ReportError as exc:
        flash(str(exc), "info")
    else:
        flash(message, "success")
    return redirect(url_for("reports.run_detail", run_id=run.id))


@blueprint.get("/runs/<int:run_id>/<fmt>")
@roles_required(*ROLES)
def download(run_id, fmt):
    run = _visible_run(run_id)
    if fmt not in FORMATS:
        abort(404)
    path, problem = services.checked_file(current_app, run, fmt)
    if path is None:
        return render_template("reports/no_file.html", run=run, problem=problem), 404
    services.record_download(run, fmt)
    if fmt in ("pdf", "csv"):
        return send_file(
            path,
            mimetype=FORMATS[fmt][0],
            as_attachment=True,
            download_name=path.name.split("-", 2)[2],
            max_age=0,
        )
    from .render import statement_csp

    response = send_file(path, mimetype="text/html", max_age=0)
    response.headers["Content-Security-Policy"] = statement_csp()
    return response


# --- Narrative sections --------------------------------------------------------------------


def _year(raw: int) -> int:
    try:
        return services.parse_text_year(raw)
    except ReportError:
        abort(404)


@blueprint.get("/statement/<int:year>/text")
@roles_required(*NARRATIVE_ROLES)
def narrative_year(year):
    year = _year(year)
    return render_template(
        "reports/narrative_year.html",
        year=year,
        year_label=services.year_label(year),
        sections=narrative.status(year),
        years=list(range(services.latest_text_year(), services.latest_text_year() - 5, -1)),
        not_started=year > services.latest_year(),
    )


@blueprint.post("/statement/<int:year>/text/copy")
@roles_required(*NARRATIVE_ROLES)
def narrative_copy(year):
    year = _year(year)
    copied = narrative.copy_from_previous_year(year, current_user)
    flash(
        f"{copied} section{'s' if copied != 1 else ''} copied from {services.year_label(year - 1)} "
        "as drafts."
        if copied
        else "There was no approved text to copy from last year.",
        "success" if copied else "info",
    )
    return redirect(url_for("reports.narrative_year", year=year))


@blueprint.route("/statement/<int:year>/text/<section>", methods=["GET", "POST"])
@roles_required(*NARRATIVE_ROLES)
def narrative_edit(year, section):
    year = _year(year)
    if section not in narrative.SECTIONS:
        abort(404)
    latest = narrative.latest(year, section)
    form = NarrativeForm()
    if request.method == "GET":
        form.body.data = latest.body if latest else ""
        form.based_on.data = str(latest.number if latest else 0)
    elif form.validate_on_submit():
        # Missing or not a number: refused by the service like a stale version.
        based_on = whole_number(form.based_on.data, 0)
        try:
            row = narrative.save_version(year, section, form.body.data, current_user, based_on)
        except ReportError as exc:
            form.body.errors.append(str(exc))
        else:
            flash(
                f"Version {row.number} saved. It needs approval before it is published.", "success"
            )
            return redirect(url_for("reports.narrative_edit", year=year, section=section))
    return render_template(
        "reports/narrative_edit.html",
        form=form,
        approve_form=ApproveForm(formdata=None),
        year=year,
        year_label=services.year_label(year),
        section=section,
        title=narrative.section_title(section),
        hint=narrative.SECTIONS[section][1],
        versions=narrative.versions(year, section),
    ), (400 if form.errors else 200)


@blueprint.post("/statement/<int:year>/text/<section>/approve")
@roles_required(*NARRATIVE_ROLES)
def narrative_approve(year, section):
    year = _year(year)
    if section not in narrative.SECTIONS:
        abort(404)
    form = ApproveForm()
    number = whole_number(form.number.data, 1)
    if not form.validate_on_submit() or number is None:
        abort(400)
    try:
        narrative.approve(year, section, number, current_user)
    except ReportError as exc:
        flash(str(exc), "info")
        return redirect(url_for("reports.narrative_edit", year=year, section=section))
    flash(
        f"Version {form.number.data} of “{narrative.section_title(section)}” approved.", "success"
    )
    return redirect(url_for("reports.narrative_year", year=year))
