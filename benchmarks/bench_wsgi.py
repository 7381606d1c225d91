"""gunicorn entry for `make bench`: the real app plus the benchmark's bare page
(benchmarks/bare_page.py), which the application itself never serves."""

from benchmarks.bare_page import bench
from core.config import create_app_or_exit

app = create_app_or_exit()
app.register_blueprint(bench)
