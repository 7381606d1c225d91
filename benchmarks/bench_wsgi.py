"""gunicorn entry for `make bench`: the real app plus the benchmark's bare page
(benchmarks/bare_page.py), which the application itself never serves, filled with the rows the
signed-in user's caseload shows (read once, here, before any request)."""

import os

from benchmarks.bare_page import bench, take_snapshot
from core.config import create_app_or_exit

app = create_app_or_exit()
app.register_blueprint(bench)
take_snapshot(app, os.environ.get("BENCH_EMAIL", "practitioner@example.gov.uk"))
