"""Sign-in and sign-out, the home page, and the administrators' pages (users, teams, audit log,
health)."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_user, logout_user
from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from . import audit, health, navigation, users
from .access import public, roles_required, signed_in
from .extensions import db
from .forms import (
    AuditSearchForm,
    ChangePasswordForm,
    ConfirmForm,
    EditUserForm,
    SetPasswordForm,
    SignInForm,
    TeamForm,
    UserForm,
    choices,
)
from .models import AuditEvent, ReferenceValue, Team, User
from .pagination import paginate, pagination_params, past_last_page
from .parsing import whole_number
from .roles import ROLE_LABELS, Role

auth = Blueprint("auth", __name__)
admin = Blueprint("admin", __name__, url_prefix="/admin")


def _safe_next(target: str | None) -> str | None:
    """Only same-site relative paths, so sign-in cannot become an open redirect."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    if "\\" in target:
        return None
    return target


@auth.route("/sign-in", methods=["GET", "POST"])
@public
def sign_in():
    if current_user.is_authenticated:
        return redirect(url_for("auth.home"))
    form = SignInForm()
    if request.method == "GET":
        form.next.data = _safe_next(request.args.get("next")) or ""
    error = None
    if form.validate_on_submit():
        user, error = users.authenticate(
            form.email.data, form.password.data, request.remote_addr or ""
        )
        if user is not None:
            session.regenerate()
            login_user(user)
            from flask import g

            g.audit_user = user
            audit.record("sign_in", "user_account", user.id)
            return redirect(_safe_next(form.next.data) or url_for("auth.home"))
        form.password.errors = list(form.password.errors) + [error]
    elif request.method == "POST":
        # An attempt all the same (an empty password, say): audited, and it counts to a block.
        audit.keep_after_rollback(
            "sign_in_failed",
            "user_account",
            "",
            email=(form.email.data or "").strip().lower()[:254],
            detail="email address or password missing or too long",
        )
    expired = session.pop("_expired", False) or request.args.get("expired")
    return render_template("core/sign_in.html", form=form, expired=expired, error=error)


@auth.get("/sign-out")
@public
def sign_out_page():
    """A typed or bookmarked /sign-out: signing out changes state, so it takes a button (a
    link could sign people out from another site); signed out already, say so."""
    if not current_user.is_authenticated:
        return redirect(url_for("auth.signed_out"))
    return render_template("core/sign_out.html")


@auth.post("/sign-out")
@signed_in
def sign_out():
    audit.record("sign_out", "user_account", current_user.id)
    logout_user()
    session.destroy()
    flash("You have signed out.", "success")
    return redirect(url_for("auth.signed_out"))


@auth.get("/signed-out")
@public
def signed_out():
    return render_template("core/signed_out.html")


@auth.get("/")
@signed_in
def home():
    landing = navigation.landing_endpoint(current_user)
    if landing and not request.args.get("menu"):
        return redirect(url_for(landing))
    items = navigation.items_for(current_user)
    return render_template("core/home.html", items=items)


@auth.route("/account/password", methods=["GET", "POST"])
@signed_in
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        from .throttle import PASSWORD_FAILED, block_for

        if block_for("account", current_user.email):
            form.current_password.errors.append(users.BLOCKED_MESSAGE)
        elif not users.check_password(current_user, form.current_password.data):
            # A guess at the password as much as a failed sign-in: audited, and it counts
            # towards the same block.
            audit.keep_after_rollback(
                PASSWORD_FAILED,
                "user_account",
                current_user.id,
                detail="wrong current password when changing password",
            )
            form.current_password.errors.append("Your current password is not correct")
        elif form.new_password.data == form.current_password.data:
            form.new_password.errors.append(
                "Your new password must be different from your current one"
            )
        else:
            try:
                users.set_password(current_user, form.new_password.data)
            except users.UserError as exc:
                form.new_password.errors.append(str(exc))
            else:
                # Every session (this one too) has ended: sign in again with the new password.
                logout_user()
                session.destroy()
                return redirect(url_for("auth.sign_in", changed=1))
    return render_template("core/change_password.html", form=form)


# --- Administration: users -----------------------------------------------------------------


def _team_choices():
    return choices((t.id, t.name) for t in users.all_teams())


def _get_user(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    return user


@admin.get("/users")
@roles_required(Role.ADMINISTRATOR)
def user_list():
    q = (request.args.get("q") or "").strip()[:100]
    stmt = (
        select(User)
        .options(selectinload(User.role_rows), selectinload(User.teams))
        .order_by(User.name)
    )
    if q:
        stmt = stmt.where(
            or_(User.email.icontains(q, autoescape=True), User.name.icontains(q, autoescape=True))
        )
    pager = paginate(stmt)
    beyond = past_last_page(pager, "admin.user_list")
    if beyond:
        return beyond
    return render_template(
        "core/admin/users.html",
        pager=pager,
        q=q,
        role_labels=ROLE_LABELS,
        pagination=pagination_params(pager, "admin.user_list"),
    )


@admin.route("/users/new", methods=["GET", "POST"])
@roles_required(Role.ADMINISTRATOR)
def user_new():
    form = UserForm()
    form.teams.choices = _team_choices()
    if form.validate_on_submit():
        try:
            teams = [db.session.get(Team, t) for t in form.teams.data]
            user = users.create_user(
                form.email.data, form.name.data, form.roles.data, form.password.data, teams
            )
        except users.UserError as exc:
            getattr(form, exc.field or "name").errors.append(str(exc))
        else:
            flash(f"User {user.email} added.", "success")
            return redirect(url_for("admin.user_detail", user_id=user.id))
    return render_template("core/admin/user_form.html", form=form, user=None)


@admin.get("/users/<int:user_id>")
@roles_required(Role.ADMINISTRATOR)
def user_detail(user_id):
    user = _get_user(user_id)
    from .sessions import active_session_count

    return render_template(
        "core/admin/user_detail.html",
        user=user,
        role_labels=ROLE_LABELS,
        sessions=active_session_count(user.id),
        confirm=ConfirmForm(),
    )


@admin.route("/users/<int:user_id>/edit", methods=["GET", "POST"])
@roles_required(Role.ADMINISTRATOR)
def user_edit(user_id):
    user = _get_user(user_id)
    form = EditUserForm(obj=None if request.method == "POST" else user)
    form.teams.choices = _team_choices()
    if request.method == "GET":
        form.roles.data = sorted(r.value for r in user.roles)
        form.teams.data = [t.id for t in user.teams]
        form.version.data = str(user.version)
    if form.validate_on_submit():
        if user.id == current_user.id and Role.ADMINISTRATOR.value not in form.roles.data:
            form.roles.errors.append("You cannot remove your own administrator role")
        else:
            try:
                expected = whole_number(form.version.data) or -1
                teams = [db.session.get(Team, t) for t in form.teams.data]
                users.update_user(
                    user,
                    name=form.name.data,
                    roles=form.roles.data,
                    teams=teams,
                    expected_version=expected,
                )
            except users.UserError as exc:
                form.form_errors.append(str(exc))
            else:
                flash("User details saved.", "success")
                return redirect(url_for("admin.user_detail", user_id=user.id))
    return render_template("core/admin/user_form.html", form=form, user=user)


@admin.route("/users/<int:user_id>/password", methods=["GET", "POST"])
@roles_required(Role.ADMINISTRATOR)
def user_password(user_id):
    user = _get_user(user_id)
    form = SetPasswordForm()
    if form.validate_on_submit():
        try:
            users.set_password(user, form.password.data)
        except users.UserError as exc:
            form.password.errors.append(str(exc))
        else:
            flash(
                f"Password set for {user.email}. They have been signed out everywhere.", "success"
            )
            if user.id == current_user.id:
                logout_user()
                session.destroy()
                return redirect(url_for("auth.sign_in"))
            return redirect(url_for("admin.user_detail", user_id=user.id))
    return render_template("core/admin/user_password.html", form=form, user=user)


@admin.route("/users/<int:user_id>/disable", methods=["GET", "POST"])
@roles_required(Role.ADMINISTRATOR)
def user_disable(user_id):
    user = _get_user(user_id)
    form = ConfirmForm()
    enable = not user.enabled
    if user.id == current_user.id:
        flash("You cannot disable your own account.", "error")
        return redirect(url_for("admin.user_detail", user_id=user.id))
    if form.validate_on_submit():
        users.set_enabled(user, enable)
        flash(f"{user.email} {'enabled' if enable else 'disabled'}.", "success")
        return redirect(url_for("admin.user_detail", user_id=user.id))
    return render_template("core/admin/user_disable.html", form=form, user=user, enable=enable)


# --- Administration: teams -----------------------------------------------------------------


@admin.get("/teams")
@roles_required(Role.ADMINISTRATOR)
def team_list():
    return render_template("core/admin/teams.html", teams=users.all_teams())


@admin.route("/teams/new", methods=["GET", "POST"])
@roles_required(Role.ADMINISTRATOR)
def team_new():
    form = TeamForm()
    if form.validate_on_submit():
        try:
            team = users.create_team(form.name.data, form.description.data or "")
        except users.UserError as exc:
            getattr(form, exc.field or "name", form.name).errors.append(str(exc))
        else:
            flash(f"Team {team.name} added.", "success")
            return redirect(url_for("admin.team_list"))
    return render_template("core/admin/team_form.html", form=form, team=None)


@admin.route("/teams/<int:team_id>/edit", methods=["GET", "POST"])
@roles_required(Role.ADMINISTRATOR)
def team_edit(team_id):
    team = db.session.get(Team, team_id)
    if team is None:
        abort(404)
    form = TeamForm(obj=team if request.method == "GET" else None)
    if form.validate_on_submit() and not _changed_meanwhile(
        form, team, f"name ‘{team.name}’, description ‘{team.description or '(none)'}’"
    ):
        try:
            users.update_team(team, form.name.data, form.description.data or "")
        except users.UserError as exc:
            getattr(form, exc.field or "name", form.name).errors.append(str(exc))
        else:
            flash(f"Team {team.name} saved.", "success")
            return redirect(url_for("admin.team_list"))
    return render_template("core/admin/team_form.html", form=form, team=team)


def _changed_meanwhile(form, record, saved_now: str) -> bool:
    """Optimistic locking for the small administration forms: if someone saved the record
    after this form was opened, say what it now holds and refuse this save. The form keeps
    what was typed and takes the record's new version, so saving again is a deliberate
    choice to replace theirs."""
    if whole_number(form.version.data) == record.version:
        return False
    form.version.data = str(record.version)
    form.form_errors.append(
        "Someone else saved this while you were editing. It now has "
        f"{saved_now}. Your changes are below and were not saved: save again to replace theirs."
    )
    return True


# --- Administration: localities (reference data) --------------------------------------------


@admin.get("/localities")
@roles_required(Role.ADMINISTRATOR)
def locality_list():
    from .reference import localities

    return render_template("core/admin/localities.html", rows=localities(active_only=False))


@admin.route("/localities/new", methods=["GET", "POST"])
@admin.route("/localities/<int:value_id>/edit", methods=["GET", "POST"])
@roles_required(Role.ADMINISTRATOR)
def locality_edit(value_id=None):
    from .forms import LocalityForm
    from .reference import ReferenceError_, save_locality

    row = None
    if value_id is not None:
        row = db.session.get(ReferenceValue, value_id)
        if row is None or row.kind != "locality":
            abort(404)
    form = LocalityForm(obj=row if request.method == "GET" else None)
    if request.method == "GET" and row is None:
        form.active.data = True
    saved_now = f"name ‘{row.label}’, {'in use' if row.active else 'not in use'}" if row else ""
    if form.validate_on_submit() and not (row and _changed_meanwhile(form, row, saved_now)):
        try:
            row = save_locality(row, form.code.data, form.label.data, bool(form.active.data))
        except ReferenceError_ as exc:
            getattr(form, exc.field).errors.append(str(exc))
        else:
            flash(f"Locality {row.label} saved.", "success")
            return redirect(url_for("admin.locality_list"))
    return render_template("core/admin/locality_form.html", form=form, row=row)


# --- Administration: audit log -------------------------------------------------------------


@admin.get("/audit")
@roles_required(Role.ADMINISTRATOR)
def audit_log():
    form = AuditSearchForm(request.args)
    actions = db.session.scalars(select(AuditEvent.action).distinct().order_by(AuditEvent.action))
    types = db.session.scalars(
        select(AuditEvent.record_type)
        .distinct()
        .where(AuditEvent.record_type != "")
        .order_by(AuditEvent.record_type)
    )
    form.action.choices = choices(
        [("", "Any action")] + [(a, a.replace("_", " ")) for a in actions]
    )
    form.record_type.choices = choices(
        [("", "Any record")] + [(t, t.replace("_", " ")) for t in types]
    )
    stmt = select(AuditEvent).order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())
    valid = form.validate() if request.args else True
    if request.args and valid:
        from .models import datetime

        if form.q.data:
            term = form.q.data.strip()
            subjects = audit.subjects_matching(term)
            stmt = stmt.where(
                or_(
                    AuditEvent.user_email.icontains(term, autoescape=True),
                    AuditEvent.record_id == term,
                    AuditEvent.request_id == term,
                    AuditEvent.subject.in_(subjects),
                )
            )
        if form.role.data:
            # Roles are stored comma-separated and sorted: match one whole role name.
            stmt = stmt.where(
                or_(
                    AuditEvent.user_roles == form.role.data,
                    AuditEvent.user_roles.startswith(f"{form.role.data},", autoescape=True),
                    AuditEvent.user_roles.endswith(f",{form.role.data}", autoescape=True),
                    AuditEvent.user_roles.contains(f",{form.role.data},", autoescape=True),
                )
            )
        if form.action.data:
            stmt = stmt.where(AuditEvent.action == form.action.data)
        if form.record_type.data:
            stmt = stmt.where(AuditEvent.record_type == form.record_type.data)
        if form.date_from.data:
            stmt = stmt.where(
                AuditEvent.occurred_at >= datetime.combine(form.date_from.data, datetime.min.time())
            )
        if form.date_to.data:
            # The end of that day (adding a day would overflow on 31 December 9999).
            end = datetime.combine(form.date_to.data, datetime.max.time())
            stmt = stmt.where(AuditEvent.occurred_at <= end)
    elif not valid:
        stmt = stmt.where(AuditEvent.id < 0)
    pager = paginate(stmt, per_page=50)
    beyond = past_last_page(pager, "admin.audit_log")
    if beyond:
        return beyond
    return render_template(
        "core/admin/audit.html",
        form=form,
        pager=pager,
        valid=valid,
        pagination=pagination_params(pager, "admin.audit_log"),
    )


# --- Health ------------------------------------------------------------------------------


@admin.get("/sign-in-blocks")
@roles_required(Role.ADMINISTRATOR)
def sign_in_blocks():
    from .throttle import current_blocks

    return render_template("core/admin/sign_in_blocks.html", blocks=current_blocks())


@admin.post("/sign-in-blocks/lift")
@roles_required(Role.ADMINISTRATOR)
def sign_in_block_lift():
    from .throttle import block_for, lift_block

    kind = request.form.get("kind", "")
    value = (request.form.get("value") or "").strip()
    if kind not in ("account", "client") or block_for(kind, value) is None:
        flash("That block had already ended.", "info")
    else:
        lift_block(kind, value, reason=f"lifted by {current_user.email}")
        flash(f"The block on {value} has been lifted.", "success")
    return redirect(url_for("admin.sign_in_blocks"))


@admin.get("/health")
@roles_required(Role.ADMINISTRATOR)
def health_page():
    return render_template(
        "core/admin/health.html",
        checks=health.run_checks(
            current_app, worker_timeout=current_app.config["HEALTH_WORKER_TIMEOUT"]
        ),
    )


@auth.post("/session/extend")
@signed_in
def extend_session():
    """The timeout warning's "Stay signed in": counts as activity, restarting the idle clock."""
    session.touch = True
    return {"idle_seconds": current_app.config["SESSION_IDLE_MINUTES"] * 60}


@auth.get("/session/status")
@signed_in
def session_status():
    """How long this session has before the idle sign-out, as the server sees it: another tab
    may have kept it alive. Asking is not activity, so it does not restart the clock."""
    from datetime import timedelta

    from .models import utcnow

    session.touch = False
    idle = timedelta(minutes=current_app.config["SESSION_IDLE_MINUTES"])
    seen = getattr(session, "last_seen_at", None) or utcnow()
    remaining = max(0, int((seen + idle - utcnow()).total_seconds()))
    return {"remaining_seconds": remaining}


@auth.get("/health/live")
@public
def health_live():
    """Liveness probe for load balancers: no personal data, no database."""
    return {"status": "ok"}
