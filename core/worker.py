"""Celery entry point: `celery -A core.worker worker` / `celery -A core.worker beat`."""

from core import create_app

flask_app = create_app()
celery = flask_app.extensions["celery"]
# Import every package's tasks so the worker knows them by name.
celery.autodiscover_tasks(
    ["core", "casework", "assessments", "budgets", "providers", "reports"], force=True
)
