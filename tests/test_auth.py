"""Sign-in, sessions held on the server, timeouts, lock-out."""

from datetime import timedelta

from sqlalchemy import func, select, update

from core.extensions import db
from core.models import AuditEvent, User, WebSession, utcnow
from core.roles import Role
from tests.conftest import PASSWORD, csrf_token_from, sign_in


def _cookie(client):
    return client.get_cookie("shortbreaks_session").value


def test_sign_in_with_correct_details_reaches_home_and_is_audited(app, client, make_user):
    user = make_user(Role.PRACTITIONER)
    response = sign_in(client, user.email)
    assert response.status_code == 302
    home = client.get("/?menu=1")
    assert home.status_code == 200
    assert user.name in home.get_data(as_text=True)
    with app.app_context():
        events = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "sign_in", AuditEvent.user_id == user.id)
        ).all()
        assert len(events) == 1


def test_wrong_password_shows_error_and_is_audited(app, client, make_user):
    user = make_user(Role.PRACTITIONER)
    response = sign_in(client, user.email, "wrong-password-123")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "There is a problem" in html
    assert "Enter a correct email address and password" in html
    assert client.get("/").status_code == 302
    with app.app_context():
        failed = db.session.scalars(
            select(AuditEvent).where(
                AuditEvent.action == "sign_in_failed", AuditEvent.user_email == user.email
            )
        ).all()
        assert len(failed) == 1


def test_empty_sign_in_form_gets_field_errors(client):
    page = client.get("/sign-in")
    token = csrf_token_from(page.get_data(as_text=True))
    response = client.post("/sign-in", data={"csrf_token": token})
    html = response.get_data(as_text=True)
    assert "Enter your email address" in html
    assert "Enter your password" in html
    assert "<title>Error: Sign in" in html


def test_an_incomplete_sign_in_is_audited_as_a_failed_attempt(app, client):
    page = client.get("/sign-in")
    token = csrf_token_from(page.get_data(as_text=True))
    client.post("/sign-in", data={"csrf_token": token, "email": "Someone@Example.gov.uk"})
    with app.app_context():
        row = db.session.scalar(
            select(AuditEvent).where(
                AuditEvent.action == "sign_in_failed",
                AuditEvent.user_email == "someone@example.gov.uk",
            )
        )
        assert row is not None and "missing" in row.detail


def test_new_session_id_at_sign_in(client, make_user):
    user = make_user(Role.PRACTITIONER)
    client.get("/sign-in")
    before = _cookie(client)
    sign_in(client, user.email)
    assert _cookie(client) != before


def test_replayed_cookie_after_sign_out_is_refused(app, make_user, browser_as):
    browser = browser_as(Role.PRACTITIONER)
    stolen = _cookie(browser.client)
    response = browser.post("/sign-out")
    assert response.status_code == 302
    thief = app.test_client()
    thief.set_cookie("shortbreaks_session", stolen)
    response = thief.get("/")
    assert response.status_code == 302
    assert "/sign-in" in response.headers["Location"]


def test_disabling_a_user_ends_their_sessions(app, browser_as):
    victim = browser_as(Role.PRACTITIONER)
    admin = browser_as(Role.ADMINISTRATOR)
    assert victim.get("/?menu=1").status_code == 200
    response = admin.post(f"/admin/users/{victim.user.id}/disable")
    assert response.status_code == 302
    assert victim.get("/").status_code == 302
    assert sign_in(app.test_client(), victim.user.email).status_code == 200  # refused


def test_changing_password_ends_sessions_elsewhere(app, make_user):
    user = make_user(Role.PRACTITIONER)
    laptop, phone = app.test_client(), app.test_client()
    sign_in(laptop, user.email)
    sign_in(phone, user.email)
    page = laptop.get("/account/password").get_data(as_text=True)
    response = laptop.post(
        "/account/password",
        data={
            "csrf_token": csrf_token_from(page),
            "current_password": PASSWORD,
            "new_password": "a-brand-new-long-passphrase",
        },
    )
    assert response.status_code == 302
    assert phone.get("/").status_code == 302
    assert laptop.get("/").status_code == 302
    assert sign_in(app.test_client(), user.email, "a-brand-new-long-passphrase").status_code == 302


def test_idle_timeout_ends_the_session(app, browser_as):
    browser = browser_as(Role.PRACTITIONER)
    with app.app_context():
        db.session.execute(
            update(WebSession).values(
                last_seen_at=utcnow() - timedelta(minutes=app.config["SESSION_IDLE_MINUTES"] + 1)
            )
        )
        db.session.commit()
    response = browser.get("/")
    assert response.status_code == 302
    page = browser.client.get(response.headers["Location"]).get_data(as_text=True)
    assert "signed out because you had not done anything" in page


def test_absolute_timeout_ends_an_active_session(app, browser_as):
    browser = browser_as(Role.PRACTITIONER)
    with app.app_context():
        db.session.execute(
            update(WebSession).values(
                created_at=utcnow()
                - timedelta(hours=app.config["SESSION_ABSOLUTE_HOURS"], minutes=1)
            )
        )
        db.session.commit()
    assert browser.get("/").status_code == 302


def test_ten_failures_in_five_minutes_block_the_account(app, make_user):
    user = make_user(Role.PRACTITIONER)
    for i in range(10):
        sign_in(app.test_client(), user.email, f"wrong-password-{i}")
    # Even the right password is refused now, from a fresh client.
    response = sign_in(app.test_client(), user.email)
    assert response.status_code == 200
    assert "too many unsuccessful attempts" in response.get_data(as_text=True)
    with app.app_context():
        assert (
            db.session.scalar(select(AuditEvent).where(AuditEvent.action == "sign_in_blocked"))
            is not None
        )


def test_block_ends_after_the_block_period(app, make_user):
    user = make_user(Role.PRACTITIONER)
    for i in range(10):
        sign_in(app.test_client(), user.email, f"wrong-password-{i}")
    assert sign_in(app.test_client(), user.email).status_code == 200
    # Move the failures back in time past the block (audit rows are append-only, so the test
    # moves the clock instead).
    import core.throttle as throttle

    later = utcnow() + timedelta(minutes=app.config["SIGN_IN_BLOCK_MINUTES"] + 1)
    original = throttle.utcnow
    throttle.utcnow = lambda: later
    try:
        assert sign_in(app.test_client(), user.email).status_code == 302
    finally:
        throttle.utcnow = original


def _fail_ten_times(app, email):
    for i in range(10):
        sign_in(app.test_client(), email, f"wrong-password-{i}")


def test_an_administrator_sees_and_lifts_a_block(app, make_user, browser_as):
    user = make_user(Role.PRACTITIONER)
    admin = browser_as(Role.ADMINISTRATOR)  # signed in before the failures block this address
    _fail_ten_times(app, user.email)
    assert "too many unsuccessful" in sign_in(app.test_client(), user.email).get_data(as_text=True)
    page = admin.get("/admin/sign-in-blocks").get_data(as_text=True)
    assert user.email in page
    lifted = admin.post("/admin/sign-in-blocks/lift", {"kind": "account", "value": user.email})
    assert lifted.status_code == 302
    assert sign_in(app.test_client(), user.email).status_code == 302
    with app.app_context():
        row = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "sign_in_unblocked"))
        assert row.user_email == admin.user.email and user.email in row.detail
    assert "Nothing is blocked now" in admin.get("/admin/sign-in-blocks").get_data(as_text=True)


def test_a_new_password_from_an_administrator_lifts_the_accounts_block(app, make_user):
    from core.users import set_password

    user = make_user(Role.PRACTITIONER)
    _fail_ten_times(app, user.email)
    with app.test_request_context():
        set_password(db.session.get(User, user.id), "a brand new long password")
        db.session.commit()
    assert sign_in(app.test_client(), user.email, "a brand new long password").status_code == 302


def test_by_default_one_person_mistyping_does_not_lock_out_their_office(app, make_user):
    first, second = make_user(Role.PRACTITIONER), make_user(Role.PRACTITIONER)
    _fail_ten_times(app, first.email)  # the account is blocked...
    assert "too many unsuccessful" in sign_in(app.test_client(), first.email).get_data(as_text=True)
    # ...but a colleague at the same address signs in.
    assert sign_in(app.test_client(), second.email).status_code == 302


def test_the_client_limit_can_be_set_apart_from_the_account_limit(app, make_user, monkeypatch):
    """Staff behind one office address share an IP: a council can raise the client limit."""
    monkeypatch.setitem(app.config, "SIGN_IN_CLIENT_MAX_FAILURES", 50)
    first, second = make_user(Role.PRACTITIONER), make_user(Role.PRACTITIONER)
    _fail_ten_times(app, first.email)  # blocks the account, not everyone at the address
    assert sign_in(app.test_client(), second.email).status_code == 302
    monkeypatch.setitem(app.config, "SIGN_IN_CLIENT_MAX_FAILURES", 10)
    third = make_user(Role.PRACTITIONER)
    assert sign_in(app.test_client(), third.email).status_code == 200  # the client is blocked


def test_open_redirect_is_refused(client, make_user):
    user = make_user(Role.PRACTITIONER)
    page = client.get("/sign-in?next=https://evil.example/").get_data(as_text=True)
    response = client.post(
        "/sign-in",
        data={
            "csrf_token": csrf_token_from(page),
            "email": user.email,
            "password": PASSWORD,
            "next": "//evil.example/",
        },
    )
    assert response.headers["Location"] == "/"


def test_form_without_csrf_token_is_rejected(app, browser_as):
    browser = browser_as(Role.ADMINISTRATOR)
    response = browser.post("/admin/teams/new", {"name": "Sneaky team"}, csrf=False)
    assert response.status_code == 400
    assert "Your form could not be sent" in response.get_data(as_text=True)
    response = browser.post("/admin/teams/new", {"name": "Sneaky team", "csrf_token": "forged"})
    assert response.status_code == 400


def test_home_sends_a_role_to_its_landing_page_when_one_is_claimed(app, browser_as):
    from core import navigation

    admin = browser_as(Role.ADMINISTRATOR)
    assert admin.get("/").status_code == 200  # administrators have no landing page: the menu
    item = navigation.NavItem(
        "Users", "admin.user_list", (Role.ADMINISTRATOR,), 1, (Role.ADMINISTRATOR,)
    )
    navigation._ITEMS.insert(0, item)
    try:
        response = admin.get("/")
        assert response.status_code == 302
        assert response.headers["Location"].endswith("/admin/users")
        assert admin.get("/?menu=1").status_code == 200
    finally:
        navigation._ITEMS.remove(item)


def test_failures_on_many_accounts_from_one_client_block_that_client(app, make_user):
    user = make_user(Role.PRACTITIONER)
    for i in range(app.config["SIGN_IN_CLIENT_MAX_FAILURES"]):
        sign_in(app.test_client(), f"nobody{i}@example.gov.uk", "wrong-password-123")
    response = sign_in(app.test_client(), user.email)
    assert response.status_code == 200
    assert "too many unsuccessful attempts" in response.get_data(as_text=True)
    # Another client is not blocked.
    other = app.test_client()
    page = other.get("/sign-in", environ_base={"REMOTE_ADDR": "10.1.2.3"})
    token = csrf_token_from(page.get_data(as_text=True))
    response = other.post(
        "/sign-in",
        data={"email": user.email, "password": PASSWORD, "csrf_token": token},
        environ_base={"REMOTE_ADDR": "10.1.2.3"},
    )
    assert response.status_code == 302


def test_passwords_are_stored_as_argon2id_hashes_with_full_cost_outside_tests(app, monkeypatch):
    from core.users import check_password, hash_password

    with app.app_context():
        monkeypatch.setitem(app.config, "TESTING", False)
        stored = hash_password("a-long-enough-password")
        assert stored.startswith("$argon2id$")
        assert "m=65536" in stored  # the library's recommended memory cost, not the test one
        assert "a-long-enough-password" not in stored

        class Someone:
            password_hash = stored

        assert check_password(Someone, "a-long-enough-password")
        assert not check_password(Someone, "a-long-enough-passwore")


def test_practitioners_and_team_managers_land_on_their_caseload(browser_as):
    for role in (Role.PRACTITIONER, Role.TEAM_MANAGER):
        response = browser_as(role).get("/")
        assert response.status_code == 302
        assert response.headers["Location"].endswith("/casework/")
    assert browser_as(Role.COMMISSIONER).get("/").status_code == 200


def test_stay_signed_in_restarts_the_idle_clock(app, browser_as):
    browser = browser_as(Role.COMMISSIONER)
    almost = utcnow() - timedelta(minutes=app.config["SESSION_IDLE_MINUTES"] - 1)
    with app.app_context():
        db.session.execute(update(WebSession).values(last_seen_at=almost))
        db.session.commit()
    page = browser.get("/").get_data(as_text=True)
    assert "You will be signed out soon" in page  # the warning is on every signed-in page
    response = browser.client.post("/session/extend", headers={"X-CSRFToken": browser.token()})
    assert response.status_code == 200
    assert response.json["idle_seconds"] == app.config["SESSION_IDLE_MINUTES"] * 60
    with app.app_context():
        seen = db.session.scalar(select(WebSession.last_seen_at))
    assert seen > almost + timedelta(seconds=30)


def test_stay_signed_in_needs_csrf_and_a_session(app, browser_as):
    browser = browser_as(Role.COMMISSIONER)
    assert browser.client.post("/session/extend").status_code == 400
    stranger = app.test_client()
    assert stranger.post("/session/extend").status_code in (302, 400)


def test_visitors_who_have_not_signed_in_add_no_rows_to_the_sessions_table(app):
    with app.app_context():
        before = db.session.scalar(select(func.count()).select_from(WebSession))
    for _ in range(20):
        response = app.test_client().get("/sign-in")
        assert response.status_code == 200
        assert "session=a." in response.headers["Set-Cookie"]  # held in a signed cookie
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(WebSession)) == before


def test_a_forged_anonymous_session_cookie_is_ignored(app, make_user):
    user = make_user(Role.PRACTITIONER)
    client = app.test_client()
    client.set_cookie("session", "a.eyJfdXNlcl9pZCI6IjEifQ.forged.signature")
    assert client.get("/").status_code == 302  # not signed in
    assert sign_in(client, user.email).status_code == 302  # and a real sign-in still works
    assert client.get("/").status_code in (200, 302)
    with app.app_context():
        assert (
            db.session.scalar(
                select(func.count()).select_from(WebSession).where(WebSession.user_id == user.id)
            )
            == 1
        )


def _change_password(browser, current, new):
    return browser.post(
        "/account/password", {"current_password": current, "new_password": new}
    ).get_data(as_text=True)


def test_a_new_password_must_differ_from_the_current_one(browser_as):
    browser = browser_as(Role.PRACTITIONER)
    page = _change_password(browser, PASSWORD, PASSWORD)
    assert "Your new password must be different from your current one" in page


def test_wrong_current_passwords_are_audited_and_count_towards_a_block(app, browser_as, make_user):
    browser = browser_as(Role.PRACTITIONER)
    for i in range(10):
        page = _change_password(browser, f"not-my-password-{i}", "a new long password here")
        assert "Your current password is not correct" in page
    page = _change_password(browser, PASSWORD, "a new long password here")
    assert "too many unsuccessful attempts" in page
    with app.app_context():
        failed = db.session.scalars(
            select(AuditEvent).where(
                AuditEvent.action == "password_check_failed",
                AuditEvent.user_id == browser.user.id,
            )
        ).all()
    assert len(failed) == 10
    # The account is blocked, not everyone signing in from the same address.
    colleague = make_user(Role.PRACTITIONER)
    assert sign_in(app.test_client(), colleague.email).status_code == 302
    assert sign_in(app.test_client(), browser.user.email).status_code == 200


def test_names_with_hidden_characters_are_refused(browser_as):
    admin = browser_as(Role.ADMINISTRATOR)
    page = admin.post(
        "/admin/users/new",
        {
            "name": "N\u200bame Person",
            "email": "hidden@example.gov.uk",
            "roles": ["practitioner"],
            "password": "long enough password",
        },
    ).get_data(as_text=True)
    assert "Name must not contain hidden characters" in page
    page = admin.post("/admin/teams/new", {"name": "Team\u202e"}).get_data(as_text=True)
    assert "Team name must not contain hidden characters" in page


def test_every_signed_in_page_links_to_change_password(browser_as):
    browser = browser_as(Role.PRACTITIONER)
    caseload = browser.get("/casework/").get_data(as_text=True)
    assert 'href="/account/password"' in caseload


def test_asking_how_long_is_left_does_not_count_as_activity(app, browser_as):
    browser = browser_as(Role.PRACTITIONER)
    ten_minutes_ago = utcnow() - timedelta(minutes=10)
    with app.app_context():
        db.session.execute(update(WebSession).values(last_seen_at=ten_minutes_ago))
        db.session.commit()
    status = browser.get("/session/status").get_json()
    idle = app.config["SESSION_IDLE_MINUTES"] * 60
    assert idle - 600 - 5 <= status["remaining_seconds"] <= idle - 600
    with app.app_context():
        seen = db.session.scalar(select(WebSession.last_seen_at))
    assert abs((seen - ten_minutes_ago).total_seconds()) < 1


def test_opening_sign_out_asks_for_the_button_and_signing_out_then_works(browser_as, client):
    browser = browser_as(Role.PRACTITIONER)
    page = browser.get("/sign-out")
    assert page.status_code == 200 and "Sign out" in page.get_data(as_text=True)
    assert browser.get("/casework/").status_code == 200  # opening the page signed no one out
    assert browser.post("/sign-out", {}).status_code == 302
    assert browser.get("/casework/").status_code == 302  # to sign in
    response = client.get("/sign-out")  # not signed in
    assert response.status_code == 302 and response.headers["Location"].endswith("/signed-out")


def test_a_change_to_someones_roles_and_teams_applies_at_their_next_request(
    app, browser_as, make_team
):
    """The signed-in user's roles and team ids come with the session's own query, on every
    request: nothing is remembered from an earlier one."""
    team = make_team()
    worker = browser_as(Role.PRACTITIONER)
    assert worker.get("/casework/").status_code == 200
    assert "My teams’ cases" not in worker.get("/casework/").get_data(as_text=True)
    with app.app_context():
        user = db.session.get(User, worker.user.id)
        user.set_roles([Role.FINANCE_OFFICER])
        user.set_teams([db.session.get(type(team), team.id)])
        db.session.commit()
    assert worker.get("/casework/").status_code == 403
    with app.app_context():
        db.session.get(User, worker.user.id).set_roles([Role.PRACTITIONER])
        db.session.commit()
    assert "My teams’ cases" in worker.get("/casework/").get_data(as_text=True)


def test_roles_and_teams_changed_in_a_request_are_what_that_request_sees(app, make_user, make_team):
    from core.sessions import _SESSION_LOOK_UP, _key

    team = make_team()
    user = make_user(Role.PRACTITIONER)
    with app.test_request_context():
        db.session.add(WebSession(id=_key("t"), user_id=user.id, data={}))
        db.session.flush()
        row = db.session.execute(_SESSION_LOOK_UP, {"key": _key("t")}).one()
        signed_in = row.User
        signed_in.signed_in_roles = frozenset({Role.PRACTITIONER})
        signed_in.signed_in_team_ids = frozenset()
        assert signed_in.has_role(Role.PRACTITIONER) and signed_in.team_ids == set()
        signed_in.set_roles([Role.COMMISSIONER])
        signed_in.set_teams([db.session.get(type(team), team.id)])
        db.session.flush()
        db.session.expire_all()  # as after a commit: the relationships are read again
        assert signed_in.roles == {Role.COMMISSIONER} and not signed_in.has_role(Role.PRACTITIONER)
        assert signed_in.team_ids == {team.id}
        db.session.rollback()
