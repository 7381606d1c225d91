"""Administrators manage users and teams in the browser; every change is audited."""

import re

import pytest
from sqlalchemy import select

from core.extensions import db
from core.models import AuditEvent, Team, User
from core.roles import Role


def _events(app, **filters):
    with app.app_context():
        stmt = select(AuditEvent).filter_by(**filters).order_by(AuditEvent.id)
        return db.session.scalars(stmt).all()


def test_administrator_adds_a_user_and_it_is_audited(app, browser_as):
    admin = browser_as(Role.ADMINISTRATOR)
    response = admin.post(
        "/admin/users/new",
        {
            "name": "Sam Social",
            "email": "Sam.Social@Example.gov.uk",
            "roles": ["practitioner", "team_manager"],
            "password": "plenty-long-password",
        },
    )
    assert response.status_code == 302
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "sam.social@example.gov.uk"))
        assert user.roles == {Role.PRACTITIONER, Role.TEAM_MANAGER}
    created = _events(app, action="create", record_type="user_account", record_id=str(user.id))
    assert created and created[0].user_email == admin.user.email
    assert "password_hash" not in (created[0].changes or {})
    assert created[0].changes["email"] == [None, "sam.social@example.gov.uk"]


def test_bad_new_user_input_gets_errors_and_saves_nothing(app, browser_as):
    admin = browser_as(Role.ADMINISTRATOR)
    response = admin.post(
        "/admin/users/new", {"name": "", "email": "not-an-email", "password": "short"}
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Enter the person&#39;s full name" in html or "Enter the person's full name" in html
    assert "Select at least one role" in html
    # Every problem at once, as the Design System's error summary expects, not one per attempt.
    assert "Enter an email address in the correct format" in html
    assert "Password must be 12 characters or more" in html
    response = admin.post(
        "/admin/users/new",
        {
            "name": "X Person",
            "email": "not-an-email",
            "roles": ["practitioner"],
            "password": "long enough password",
        },
    )
    assert "Enter an email address in the correct format" in response.get_data(as_text=True)
    response = admin.post(
        "/admin/users/new",
        {
            "name": "X Person",
            "email": "x@example.gov.uk",
            "roles": ["practitioner"],
            "password": "short",
        },
    )
    assert "12 characters or more" in response.get_data(as_text=True)
    response = admin.post(
        "/admin/users/new",
        {
            "name": "X Person",
            "email": "x@example.gov.uk",
            "roles": ["wizard"],
            "password": "long enough password",
        },
    )
    assert "Select roles" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(User).where(User.email == "x@example.gov.uk")) is None


def test_duplicate_email_is_refused(browser_as, make_user):
    existing = make_user(Role.PRACTITIONER)
    admin = browser_as(Role.ADMINISTRATOR)
    response = admin.post(
        "/admin/users/new",
        {
            "name": "Copy",
            "email": existing.email.upper(),
            "roles": ["practitioner"],
            "password": "long enough password",
        },
    )
    assert "already exists" in response.get_data(as_text=True)


def test_editing_a_user_shows_every_problem_at_once_and_changes_nothing(app, browser_as, make_user):
    user = make_user(Role.PRACTITIONER)
    admin = browser_as(Role.ADMINISTRATOR)
    response = admin.post(
        f"/admin/users/{user.id}/edit",
        {"name": "Sam\u200b Social", "version": str(user.version)},
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Name must not contain hidden characters" in page
    assert "Select at least one role" in page
    with app.app_context():
        kept = db.session.get(User, user.id)
        assert (kept.name, kept.version) == (user.name, user.version)


def test_role_change_is_audited_with_old_and_new_values(app, browser_as, make_user, make_team):
    team = make_team("Hillside team")
    user = make_user(Role.PRACTITIONER)
    admin = browser_as(Role.ADMINISTRATOR)
    page = admin.get(f"/admin/users/{user.id}/edit").get_data(as_text=True)
    assert 'name="version"' in page
    response = admin.post(
        f"/admin/users/{user.id}/edit",
        {
            "name": user.name,
            "roles": ["practitioner", "team_manager"],
            "teams": [str(team.id)],
            "version": str(user.version),
        },
    )
    assert response.status_code == 302
    events = _events(app, action="update", record_type="user_account", record_id=str(user.id))
    changes = next(e.changes for e in events if e.changes and "roles" in e.changes)
    assert changes["roles"] == [["practitioner"], ["practitioner", "team_manager"]]
    assert changes["teams"] == [[], ["Hillside team"]]
    # Only roles and teams changed: no row claims the name changed, yet the version moved on.
    assert not [e for e in events if e.changes and "name" in e.changes]
    with app.app_context():
        assert db.session.get(User, user.id).version == user.version + 1


def test_a_new_users_roles_and_teams_are_in_the_audit_log(app, browser_as, make_team):
    team = make_team("Lakeside team")
    admin = browser_as(Role.ADMINISTRATOR)
    response = admin.post(
        "/admin/users/new",
        {
            "name": "Granted Person",
            "email": "granted@example.gov.uk",
            "roles": ["administrator"],
            "teams": [str(team.id)],
            "password": "a long enough password",
        },
    )
    assert response.status_code == 302
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "granted@example.gov.uk"))
    events = _events(app, action="create", record_type="user_account", record_id=str(user.id))
    granted = next(e.changes for e in events if "roles" in (e.changes or {}))
    assert granted["roles"] == [None, ["administrator"]]
    assert granted["teams"] == [None, ["Lakeside team"]]


def test_adding_the_same_person_twice_at_once_is_refused_not_a_crash(app):
    """The second insert meets the unique email (both passed the look-up first)."""
    from core.users import UserError, create_user

    with app.test_request_context():
        first = create_user("twice@example.gov.uk", "Twice", ["practitioner"], "long password 123")
        db.session.flush()
        # As if the look-up had run before the first insert: bypass it.
        import core.users as users_module

        original = users_module.find_by_email
        users_module.find_by_email = lambda email: None
        try:
            with pytest.raises(UserError, match="already exists"):
                create_user("twice@example.gov.uk", "Twice", ["practitioner"], "long password 123")
        finally:
            users_module.find_by_email = original
        assert db.session.get(User, first.id) is not None
        db.session.rollback()


def test_second_of_two_simultaneous_edits_is_refused(app, browser_as, make_user):
    user = make_user(Role.PRACTITIONER)
    first, second = browser_as(Role.ADMINISTRATOR), browser_as(Role.ADMINISTRATOR)
    version = str(user.version)
    ok = first.post(
        f"/admin/users/{user.id}/edit",
        {"name": "First Edit", "roles": ["practitioner"], "version": version},
    )
    assert ok.status_code == 302
    late = second.post(
        f"/admin/users/{user.id}/edit",
        {"name": "Second Edit", "roles": ["practitioner"], "version": version},
    )
    assert late.status_code == 200
    assert "Someone else changed this user" in late.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(User, user.id).name == "First Edit"


def test_administrator_cannot_remove_own_admin_role_or_disable_self(browser_as):
    admin = browser_as(Role.ADMINISTRATOR)
    response = admin.post(
        f"/admin/users/{admin.user.id}/edit",
        {"name": admin.user.name, "roles": ["practitioner"], "version": str(admin.user.version)},
    )
    assert "cannot remove your own administrator role" in response.get_data(as_text=True)
    response = admin.post(f"/admin/users/{admin.user.id}/disable")
    assert response.status_code == 302
    assert admin.get("/").status_code == 200  # still signed in


def test_disable_asks_for_confirmation_first(browser_as, make_user):
    user = make_user(Role.PRACTITIONER)
    admin = browser_as(Role.ADMINISTRATOR)
    page = admin.get(f"/admin/users/{user.id}/disable").get_data(as_text=True)
    assert f"Are you sure you want to disable {user.name}?" in page


def test_set_password_by_administrator(app, browser_as, make_user):
    user = make_user(Role.PRACTITIONER)
    admin = browser_as(Role.ADMINISTRATOR)
    weak = admin.post(f"/admin/users/{user.id}/password", {"password": "123"})
    assert "12 characters or more" in weak.get_data(as_text=True)
    ok = admin.post(f"/admin/users/{user.id}/password", {"password": "another-long-password"})
    assert ok.status_code == 302
    events = _events(app, action="update", record_type="user_account", record_id=str(user.id))
    assert events[-1].changes["password_hash"] == ["(hidden)", "(changed)"]


def test_unknown_user_id_is_404(browser_as):
    admin = browser_as(Role.ADMINISTRATOR)
    assert admin.get("/admin/users/999999").status_code == 404
    assert admin.post("/admin/users/999999/disable").status_code == 404


def test_teams_can_be_added_and_duplicates_refused(app, browser_as):
    admin = browser_as(Role.ADMINISTRATOR)
    assert admin.post("/admin/teams/new", {"name": "Riverside team"}).status_code == 302
    again = admin.post("/admin/teams/new", {"name": "riverside TEAM"})
    assert "There is already a team called Riverside team" in again.get_data(as_text=True)
    assert "Riverside team" in admin.get("/admin/teams").get_data(as_text=True)


def test_users_list_is_searchable_and_paginated(app, browser_as, make_user):
    for i in range(30):
        make_user(Role.PRACTITIONER, name=f"Paged Person {i:02d}")
    admin = browser_as(Role.ADMINISTRATOR)
    first = admin.get("/admin/users?q=Paged").get_data(as_text=True)
    assert "30 users" in first
    assert "govuk-pagination" in first
    second = admin.get("/admin/users?q=Paged&page=2").get_data(as_text=True)
    assert "Paged Person 29" in second
    assert admin.get("/admin/users?page=abc").status_code == 200


def test_refused_access_is_audited(app, browser_as):
    practitioner = browser_as(Role.PRACTITIONER)
    assert practitioner.get("/admin/users").status_code == 403
    refused = _events(app, action="access_refused", user_id=practitioner.user.id)
    assert refused and "/admin/users" in refused[0].detail


def test_non_administrator_cannot_post_to_admin_forms(app, browser_as):
    manager = browser_as(Role.TEAM_MANAGER)
    response = manager.post(
        "/admin/users/new",
        {
            "name": "Sneaky",
            "email": "s@example.gov.uk",
            "roles": ["administrator"],
            "password": "long enough password",
        },
    )
    assert response.status_code == 403
    with app.app_context():
        assert db.session.scalar(select(User).where(User.email == "s@example.gov.uk")) is None


def test_team_can_be_renamed_but_not_to_an_existing_name(app, browser_as, make_team):
    first, second = make_team("Alpha team"), make_team("Beta team")
    admin = browser_as(Role.ADMINISTRATOR)
    assert "Alpha team" in admin.get(f"/admin/teams/{first.id}/edit").get_data(as_text=True)
    clash = admin.post(
        f"/admin/teams/{first.id}/edit", {"name": "beta team", "version": str(first.version)}
    )
    assert "There is already a team called Beta team" in clash.get_data(as_text=True)
    ok = admin.post(
        f"/admin/teams/{first.id}/edit",
        {"name": "Alpha team (north)", "version": str(first.version)},
    )
    assert ok.status_code == 302
    same = admin.post(
        f"/admin/teams/{second.id}/edit",
        {"name": "Beta team", "description": "x", "version": str(second.version)},
    )
    assert same.status_code == 302
    assert admin.get("/admin/teams/999999/edit").status_code == 404


def test_localities_are_reference_data_an_administrator_maintains(app, browser_as):
    from core.reference import localities

    admin = browser_as(Role.ADMINISTRATOR)
    bad = admin.post("/admin/localities/new", {"label": "", "code": "Not Valid!"})
    html = bad.get_data(as_text=True)
    assert "Enter the locality" in html
    bad = admin.post("/admin/localities/new", {"label": "Riverside", "code": "Not Valid!"})
    assert "lower-case letters, numbers and hyphens" in bad.get_data(as_text=True)
    ok = admin.post(
        "/admin/localities/new", {"label": "Riverside", "code": "riverside", "active": "y"}
    )
    assert ok.status_code == 302
    dup = admin.post("/admin/localities/new", {"label": "Other", "code": "riverside"})
    assert "already exists" in dup.get_data(as_text=True)
    with app.app_context():
        row = next(r for r in localities() if r.code == "riverside")
    # Retire it: no longer offered, still known (records keep the code).
    retired = admin.post(
        f"/admin/localities/{row.id}/edit",
        {"label": "Riverside", "code": "changed-code", "version": str(row.version)},
    )
    assert retired.status_code == 302
    with app.app_context():
        assert "riverside" not in {r.code for r in localities()}
        assert "riverside" in {r.code for r in localities(active_only=False)}
    page = admin.get("/admin/localities").get_data(as_text=True)
    assert "Riverside" in page and "Not in use" in page
    assert browser_as(Role.COMMISSIONER).get("/admin/localities").status_code == 403


def test_lists_link_names_as_real_links_with_names_escaped(browser_as, make_user, make_team):
    make_user(Role.PRACTITIONER, name="Robert <script>alert(1)</script> Tables")
    make_team("Team <b>bold</b>")
    admin = browser_as(Role.ADMINISTRATOR)
    users = admin.get("/admin/users?q=Robert").get_data(as_text=True)
    assert '<a class="govuk-link" href="/admin/users/' in users
    assert "Robert &lt;script&gt;alert(1)&lt;/script&gt; Tables</a>" in users
    assert "<script>alert(1)" not in users
    teams = admin.get("/admin/teams").get_data(as_text=True)
    assert "Team &lt;b&gt;bold&lt;/b&gt;</a>" in teams
    places = admin.get("/admin/localities").get_data(as_text=True)
    assert '<a class="govuk-link" href="/admin/localities/' in places or "no localities" in places


def test_a_locality_refused_as_a_duplicate_is_not_saved(app, browser_as):
    from core.reference import localities

    admin = browser_as(Role.ADMINISTRATOR)
    ok = admin.post("/admin/localities/new", {"label": "QA place", "code": "qa-place"})
    assert ok.status_code == 302
    dup = admin.post("/admin/localities/new", {"label": "qa place", "code": "qa-place2"})
    assert "There is already a locality called QA place" in dup.get_data(as_text=True)
    with app.app_context():
        assert "qa-place2" not in {r.code for r in localities(active_only=False)}


def test_a_page_showing_form_errors_saves_nothing_a_service_had_changed(app, browser_as):
    """The safety net under every form: a check that comes after a change still saves nothing."""
    from sqlalchemy import select

    from core.extensions import db
    from core.models import Team
    from core.users import UserError

    admin = browser_as(Role.ADMINISTRATOR)
    original = app.view_functions["admin.team_new"]

    def change_then_refuse():
        from flask import render_template

        from core.forms import TeamForm

        db.session.add(Team(name="Changed before the check"))
        db.session.flush()
        form = TeamForm()
        form.validate_on_submit()
        form.name.errors = [str(UserError("Refused after the change", "name"))]
        return render_template("core/admin/team_form.html", form=form, team=None)

    change_then_refuse.access_rule = original.access_rule
    app.view_functions["admin.team_new"] = change_then_refuse
    try:
        response = admin.post("/admin/teams/new", {"name": "x"})
    finally:
        app.view_functions["admin.team_new"] = original
    assert response.status_code == 200 and "Refused after the change" in response.get_data(
        as_text=True
    )
    with app.app_context():
        assert (
            db.session.scalar(select(Team).where(Team.name == "Changed before the check")) is None
        )


def test_two_administrators_editing_one_team_do_not_overwrite_each_other(
    app, browser_as, make_team
):
    team = make_team("Harbour team")
    first, second = browser_as(Role.ADMINISTRATOR), browser_as(Role.ADMINISTRATOR)
    opened = str(team.version)
    saved = first.post(
        f"/admin/teams/{team.id}/edit",
        {"name": "Harbour team", "description": "First's words", "version": opened},
    )
    assert saved.status_code == 302
    refused = second.post(
        f"/admin/teams/{team.id}/edit",
        {"name": "Harbour team (renamed)", "description": "", "version": opened},
    ).get_data(as_text=True)
    assert "Someone else saved this while you were editing" in refused
    assert "First&#39;s words" in refused or "First's words" in refused
    assert 'href="#form-problem"' in refused and 'value="Harbour team (renamed)"' in refused
    with app.app_context():
        assert db.session.get(Team, team.id).description == "First's words"
    # The form now carries the new version: saving again replaces theirs, knowingly.
    version = re.search(r'name="version" type="hidden" value="(\d+)"', refused).group(1)
    again = second.post(
        f"/admin/teams/{team.id}/edit",
        {"name": "Harbour team (renamed)", "description": "", "version": version},
    )
    assert again.status_code == 302


def test_two_administrators_editing_one_locality_do_not_overwrite_each_other(app, browser_as):
    from core.reference import localities

    admin = browser_as(Role.ADMINISTRATOR)
    admin.post("/admin/localities/new", {"label": "Lockton", "code": "lockton", "active": "y"})
    with app.app_context():
        row = next(r for r in localities() if r.code == "lockton")
    url = f"/admin/localities/{row.id}/edit"
    edit = {"code": "lockton", "active": "y", "version": "1"}
    assert admin.post(url, {**edit, "label": "Lockton Vale"}).status_code == 302
    refused = admin.post(url, {**edit, "label": "Lockton Hill"})
    assert "Someone else saved this while you were editing" in refused.get_data(as_text=True)
    with app.app_context():
        assert next(r for r in localities() if r.code == "lockton").label == "Lockton Vale"


def test_a_page_past_the_end_of_the_users_or_audit_list_shows_the_last(browser_as):
    admin = browser_as(Role.ADMINISTRATOR)
    response = admin.get("/admin/users?page=2&q=")
    assert response.status_code == 302 and response.headers["Location"].endswith("page=1")
    assert "No users match" not in admin.get("/admin/users?page=2", follow_redirects=True).get_data(
        as_text=True
    )
    response = admin.get("/admin/audit?page=9999")
    assert response.status_code == 302 and "page=1" in response.headers["Location"]


def test_hidden_characters_are_refused_in_team_descriptions_and_locality_names(app, browser_as):
    from core.reference import localities

    admin = browser_as(Role.ADMINISTRATOR)
    page = admin.post(
        "/admin/teams/new", {"name": "Hidden team", "description": "North \u202eteam"}
    ).get_data(as_text=True)
    assert "Description must not contain hidden characters" in page
    assert "Hidden team" not in admin.get("/admin/teams").get_data(as_text=True)
    page = admin.post(
        "/admin/localities/new", {"label": "Ash\u200bby", "code": "ashby-hidden"}
    ).get_data(as_text=True)
    assert "Name must not contain hidden characters" in page
    with app.app_context():
        assert "ashby-hidden" not in {r.code for r in localities(active_only=False)}
