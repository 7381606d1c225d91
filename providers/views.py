"""Routes of the providers package: parse, check access, call a service, render."""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from markupsafe import Markup

from core import audit
from core.access import roles_required
from core.extensions import db
from core.forms import ConfirmForm, choices
from core.pagination import paginate, pagination_params
from core.parsing import whole_number
from core.reference import MAX_AGE, SHORT_BREAK_TYPES, localities, locality_labels, locality_options
from core.roles import Role

from . import conflicts, csv_io, search, services
from .forms import DirectorySearchForm, ImportForm, ProviderForm, ServiceForm
from .models import (
    CAPACITY_UNITS,
    PROVIDER_STATUSES,
    RATE_UNITS,
    REGISTRATION_BODIES,
    REGISTRATION_RATINGS,
    RUNS,
    SE7_QUESTIONS,
    SERVICE_TIERS,
)

blueprint = Blueprint("providers", __name__, url_prefix="/providers", template_folder="templates")

READ = (
    Role.PRACTITIONER,
    Role.TEAM_MANAGER,
    Role.FINANCE_OFFICER,
    Role.COMMISSIONER,
    Role.ADMINISTRATOR,
)
EDIT = (Role.COMMISSIONER, Role.ADMINISTRATOR)

LABELS = {
    "short_break_types": SHORT_BREAK_TYPES,
    "tiers": SERVICE_TIERS,
    "needs": services.NEEDS,
    "runs": RUNS,
    "capacity_units": CAPACITY_UNITS,
    "rate_units": RATE_UNITS,
    "statuses": PROVIDER_STATUSES,
    "registration_bodies": REGISTRATION_BODIES,
    "registration_ratings": REGISTRATION_RATINGS,
}


def _render(template, **context):
    from flask_login import current_user

    return render_template(
        template,
        labels=LABELS,
        is_web_address=services.is_web_address,
        locality_names=locality_labels(),
        can_edit=current_user.has_role(*EDIT),
        label_list=_label_list,
        questions=SE7_QUESTIONS,
        **context,
    )


def _label_list(codes, mapping) -> str:
    return ", ".join(mapping.get(c, c) for c in codes)


def _locality_choices(kept=()):
    """The localities a form offers: those in use, and those no longer in use that the record
    already has (``kept``), so that saving it again does not drop them."""
    return choices(locality_options(kept))


def _provider_or_404(provider_id: int):
    provider = services.get_provider(provider_id)
    if provider is None:
        abort(404)
    return provider


def _service_or_404(service_id: int):
    service = services.get_service(service_id)
    if service is None:
        abort(404)
    return service


def _version(form) -> int:
    """The version the form was opened at; -1 (never a record's) when it is not a number."""
    version = whole_number(form.version.data)
    return -1 if version is None else version


def _show_problems(form, exc: services.ProviderError) -> None:
    """Show each of the service layer's problems on its field (a field the form lacks: on the
    first one), unless the form has already found a problem with that field."""
    for field_name, message in exc.problems:
        name = "rate" if field_name == "rate_pence" else field_name
        field = getattr(form, name, None) if name else None
        field = field if field is not None else form.name
        if not field.errors:
            field.errors = [message]
        elif field is form.name and message not in field.errors:
            field.errors = list(field.errors) + [message]


def _submitted(form, check, data_for_service) -> dict | None:
    """The form's data for the service layer when it was posted and passes the form's own
    checks; None otherwise. When the form finds problems, the service layer's checks run too
    (saving nothing), so that every problem is shown at once rather than one per submit."""
    if not form.is_submitted():
        return None
    valid = form.validate()
    data = data_for_service()
    if valid:
        return data
    try:
        check(data)
    except services.ProviderError as exc:
        _show_problems(form, exc)
    return None


def _paginate(stmt):
    """A page of the list; a page number past the end shows the last page."""
    pager = paginate(stmt)
    if pager.pages and pager.page > pager.pages:
        pager = db.paginate(stmt, page=pager.pages, per_page=pager.per_page, error_out=False)
    return pager


def _sorting(sorts: dict) -> tuple[str, str]:
    """(sort key, 'asc' | 'desc') from the query string; an unknown key is the default one."""
    sort = request.args.get("sort", "")
    direction = "desc" if request.args.get("dir") == "desc" else "asc"
    return (sort if sort in sorts else next(iter(sorts))), direction


def _sort_heads(endpoint: str, columns, sort: str, direction: str) -> list[dict]:
    """govukTable head cells: a sortable column links to sort by it (or reverse it) and says
    with aria-sort how the list is sorted, as the casework search does."""
    args = {k: v for k, v in request.args.items() if k not in ("page", "sort", "dir")}
    heads = []
    for key, label, *fmt in columns:
        head = {"format": fmt[0]} if fmt else {}
        if key is None:
            heads.append({**head, "text": label})
            continue
        current = key == sort
        new_direction = "desc" if current and direction == "asc" else "asc"
        href = url_for(endpoint, sort=key, dir=new_direction, **args)
        link = Markup(
            '<a class="govuk-link" href="{}">{}<span class="govuk-visually-hidden"> (sort)</span>'
            "</a>"
        ).format(href, label)
        state = ("descending" if direction == "desc" else "ascending") if current else "none"
        heads.append({**head, "html": link, "attributes": {"aria-sort": state}})
    return heads


def _conflict(form, record, fields, labels, submitted: dict, exc) -> dict:
    """Someone else saved the record after this form was opened: keep what was typed, move
    the form to the saved version, and say (once, in the error summary) which fields they
    changed and what those now hold, so that saving again is a deliberate choice."""
    changed, known = conflicts.changed_fields(record, fields, form.loaded.data, submitted)
    form.version.errors = [str(exc)]
    conflicts.start_from(form, record, fields)
    rows = [
        {"key": {"text": labels[f]}, "value": {"text": conflicts.saved_text(record, f)}}
        for f in changed
    ]
    return {"known": known, "rows": rows}


def _edit_page(form, record, check, update, fields, labels, saved, done, template, **page):
    """The page of a provider's or service's edit form: on a GET the form starts from the
    record; a valid post is saved with ``update`` (flash ``saved``, go to ``done``), and a
    stale one shows what the other person changed (``_conflict``)."""
    form.localities.choices = _locality_choices(record.localities)
    conflict = None
    if request.method == "GET":
        form.fill_from(record)
    data = _submitted(form, check, form.data_for_service)
    if data is not None:
        try:
            update(record, data, _version(form))
        except services.EditConflict as exc:
            conflict = _conflict(form, record, fields, labels, data, exc)
        except services.ProviderError as exc:
            _show_problems(form, exc)
        else:
            flash(saved, "success")
            return redirect(done)
    return _render(template, form=form, conflict=conflict, **page)


# --- The directory ------------------------------------------------------------------------


@blueprint.get("/")
@roles_required(*READ)
def index():
    form = DirectorySearchForm(request.args)
    form.locality.choices = choices(
        # Every locality, those out of use marked: services may still run there.
        [("", "Any locality"), *locality_options(every=True)]
    )
    searched = any(v for k, v in request.args.items() if k not in ("page", "sort", "dir"))
    valid = form.validate() if searched else True
    sort, direction = _sorting(search.SERVICE_SORTS)
    filters = {"sort": sort, "direction": direction}
    if valid and searched:
        filters |= {
            "text": (form.q.data or "").strip(),
            "age": whole_number(form.age.data, 0, MAX_AGE),
            "locality": form.locality.data or "",
            "need": form.need.data or "",
            "short_break_type": form.short_break_type.data or "",
            "tier": form.tier.data or "",
            "direct_payments": bool(form.direct_payments.data),
        }
    pager = None
    if valid:
        pager = _paginate(services.search_services_stmt(**filters))
    heads = [
        ("name", "Service"),
        ("provider", "Provider"),
        (None, "Type"),
        ("age", "Ages"),
        (None, "Localities"),
    ]
    return _render(
        "providers/directory.html",
        form=form,
        pager=pager,
        searched=searched,
        sort=sort,
        direction=direction,
        heads=_sort_heads("providers.index", heads, sort, direction),
        pagination=pagination_params(pager, "providers.index") if pager else None,
    )


@blueprint.get("/services/<int:service_id>")
@roles_required(*READ)
def service_detail(service_id):
    service = _service_or_404(service_id)
    return _render(
        "providers/service.html",
        service=service,
        children=services.usage_by_service().get(service.id, 0),
    )


# --- Providers ----------------------------------------------------------------------------


@blueprint.get("/framework")
@roles_required(*READ)
def provider_list():
    q = (request.args.get("q") or "").strip()[:100]
    status = request.args.get("status", "")
    if status not in PROVIDER_STATUSES:
        status = ""
    flagged = request.args.get("flagged") == "1"
    sort, direction = _sorting(search.PROVIDER_SORTS)
    pager = _paginate(services.providers_stmt(q, status, flagged, sort=sort, direction=direction))
    heads = [
        ("name", "Name"),
        ("kind", "Kind"),
        ("status", "Status"),
        (None, "Direct payments"),
        (None, "DBS and insurance"),
    ]
    return _render(
        "providers/providers.html",
        pager=pager,
        q=q,
        status=status,
        flagged=flagged,
        sort=sort,
        direction=direction,
        heads=_sort_heads("providers.provider_list", heads, sort, direction),
        flags={p.id: services.expiry_flags(p) for p in pager.items},
        pagination=pagination_params(pager, "providers.provider_list"),
    )


@blueprint.route("/framework/new", methods=["GET", "POST"])
@roles_required(*EDIT)
def provider_new():
    form = ProviderForm()
    form.localities.choices = _locality_choices()
    data = _submitted(form, services.check_provider, form.data_for_service)
    if data is not None:
        try:
            provider = services.create_provider(data)
        except services.ProviderError as exc:
            _show_problems(form, exc)
        else:
            flash(f"{provider.name} added to the framework.", "success")
            return redirect(url_for("providers.provider_detail", provider_id=provider.id))
    return _render("providers/provider_form.html", form=form, provider=None, conflict=None)


@blueprint.get("/framework/<int:provider_id>")
@roles_required(*READ)
def provider_detail(provider_id):
    provider = _provider_or_404(provider_id)
    return _render(
        "providers/provider.html",
        provider=provider,
        flags=services.expiry_flags(provider),
        usage=services.usage_by_service(),
    )


@blueprint.route("/framework/<int:provider_id>/edit", methods=["GET", "POST"])
@roles_required(*EDIT)
def provider_edit(provider_id):
    provider = _provider_or_404(provider_id)
    return _edit_page(
        ProviderForm(),
        provider,
        lambda d: services.check_provider(d, provider),
        services.update_provider,
        services.PROVIDER_FIELDS,
        services.PROVIDER_LABELS,
        "Provider details saved.",
        url_for("providers.provider_detail", provider_id=provider.id),
        "providers/provider_form.html",
        provider=provider,
    )


# --- Services -----------------------------------------------------------------------------


@blueprint.route("/framework/<int:provider_id>/services/new", methods=["GET", "POST"])
@roles_required(*EDIT)
def service_new(provider_id):
    provider = _provider_or_404(provider_id)
    form = ServiceForm()
    form.localities.choices = _locality_choices()
    if request.method == "GET":
        form.localities.data = list(provider.localities)
    data = _submitted(form, services.check_service, form.data_for_service)
    if data is not None:
        try:
            service = services.create_service(provider, data)
        except services.ProviderError as exc:
            _show_problems(form, exc)
        else:
            flash(f"{service.name} added.", "success")
            return redirect(url_for("providers.service_detail", service_id=service.id))
    return _render(
        "providers/service_form.html", form=form, provider=provider, service=None, conflict=None
    )


@blueprint.route("/services/<int:service_id>/edit", methods=["GET", "POST"])
@roles_required(*EDIT)
def service_edit(service_id):
    service = _service_or_404(service_id)
    return _edit_page(
        ServiceForm(),
        service,
        lambda d: services.check_service(d, service),
        services.update_service,
        services.SERVICE_FIELDS,
        services.SERVICE_LABELS,
        "Service details saved.",
        url_for("providers.service_detail", service_id=service.id),
        "providers/service_form.html",
        provider=service.provider,
        service=service,
    )


@blueprint.route("/services/<int:service_id>/remove", methods=["GET", "POST"])
@roles_required(*EDIT)
def service_remove(service_id):
    service = _service_or_404(service_id)
    provider = service.provider
    form = ConfirmForm()
    error = None
    if form.validate_on_submit():
        name = service.name
        try:
            services.remove_service(service)
        except services.ProviderError as exc:
            error = str(exc)
        else:
            flash(f"{name} removed from the framework.", "success")
            return redirect(url_for("providers.provider_detail", provider_id=provider.id))
    return _render("providers/service_remove.html", form=form, service=service, error=error)


# --- Usage and gaps -----------------------------------------------------------------------


@blueprint.get("/usage")
@roles_required(*EDIT)
def usage():
    gaps = services.gaps()
    by_locality: dict[str, dict] = {}
    for gap in gaps:
        entry = by_locality.setdefault(
            gap["locality"], {"label": gap["locality_label"], "types": [], "needs": []}
        )
        entry["types" if gap["kind"] == "short_break_type" else "needs"].append(gap["label"])
    return _render(
        "providers/usage.html",
        usage_rows=services.usage_report(),
        gaps=by_locality,
        all_localities=localities(),
        usage_wired=services.registration_source() is not None,
        service_localities=services.usage_by_service_locality(),
        by_locality=services.usage_by_locality(),
    )


# --- CSV import and export ------------------------------------------------------------------


@blueprint.route("/import", methods=["GET", "POST"])
@roles_required(*EDIT)
def csv_import():
    form = ImportForm()
    result = None
    if form.validate_on_submit():
        content = form.file.data.read(csv_io.MAX_BYTES + 1)
        if len(content) > csv_io.MAX_BYTES:
            form.file.errors = ["The selected file must be smaller than 5 MB"]
            return _render("providers/import.html", form=form, result=None)
        if csv_io.is_empty(content):
            form.file.errors = ["The selected file is empty"]
            return _render("providers/import.html", form=form, result=None)
        result = csv_io.import_csv(form.what.data, content)
        if result.ok:
            audit.record(
                "import",
                "provider" if form.what.data == "providers" else "provider_service",
                detail=f"CSV import: {result.created} added, {result.updated} updated, "
                f"{result.unchanged} unchanged",
            )
            flash(
                f"Import finished: {result.created} added, {result.updated} updated and "
                f"{result.unchanged} unchanged.",
                "success",
            )
            return redirect(url_for("providers.provider_list"))
    return _render("providers/import.html", form=form, result=result)


@blueprint.get("/export/<what>.csv")
@roles_required(*EDIT)
def csv_export(what):
    if what not in ("providers", "services"):
        abort(404)
    content = csv_io.export_file(what)
    audit.record("export", "provider" if what == "providers" else "provider_service")
    return Response(
        content,
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{what}.csv"'},
    )
