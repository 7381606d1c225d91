"""The benchmark's bare page stays what benchmarks/README.md says: the caseload's own template
and layout, signed-in navigation included, without a single database query."""

from sqlalchemy import event

from core.extensions import db
from tests.conftest import make_test_app


def test_the_bare_page_renders_the_caseload_layout_without_the_database(tmp_path):
    from benchmarks.bare_page import bench

    app = make_test_app(f"sqlite:///{tmp_path / 'bench.sqlite'}")
    app.register_blueprint(bench)
    queries = []
    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", lambda *a: queries.append(a[2]))
    response = app.test_client().get("/bench/bare-caseload")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "My caseload" in html and "Invented Child 24" in html
    assert "Priya Practitioner" in html and 'href="/casework/"' in html  # signed-in layout
    assert queries == []
