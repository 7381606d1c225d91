"""The benchmark's bare page stays what benchmarks/README.md says: the caseload's own template,
layout and rows, signed-in navigation included, without a single database query."""

import re

from sqlalchemy import event

from core.extensions import db
from tests.conftest import make_test_app, sign_in


def _caseload(html: str) -> str:
    """The part of the page that is the caseload: its figures, table and page links."""
    start = html.index('<p class="govuk-body" id="caseload-summary">')
    end = html.index("</main>")
    return html[start:end]


def test_the_bare_page_shows_the_signed_in_caseload_without_the_database(tmp_path):
    from benchmarks.bare_page import bench, take_snapshot
    from core.demo import DEMO_PASSWORD, load_all

    app = make_test_app(f"sqlite:///{tmp_path / 'bench.sqlite'}")
    app.register_blueprint(bench)
    with app.app_context():
        db.create_all()
        load_all(echo=lambda *a: None)
    take_snapshot(app, "practitioner@example.gov.uk")

    signed_in = app.test_client()
    sign_in(signed_in, "practitioner@example.gov.uk", DEMO_PASSWORD)
    real = signed_in.get("/casework/").get_data(as_text=True)

    queries = []
    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", lambda *a: queries.append(a[2]))
    response = app.test_client().get("/bench/bare-caseload")
    bare = response.get_data(as_text=True)
    assert response.status_code == 200
    assert queries == []
    # The same rows, figures and page links as the practitioner's own caseload...
    assert len(re.findall('<tr class="govuk-table__row">', bare)) == 26  # a full page
    assert _caseload(bare) == _caseload(real)
    # ...in the same signed-in layout.
    assert "Priya" in bare and 'href="/casework/"' in bare and "Sign out" in bare


def test_the_bare_page_is_not_found_before_its_rows_are_read(tmp_path):
    from benchmarks.bare_page import _snapshot, bench

    saved = dict(_snapshot)
    _snapshot.clear()
    try:
        app = make_test_app(f"sqlite:///{tmp_path / 'bench.sqlite'}")
        app.register_blueprint(bench)
        assert app.test_client().get("/bench/bare-caseload").status_code == 404
    finally:
        _snapshot.update(saved)
