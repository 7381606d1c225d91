"""Celery entry point: `celery -A core.worker worker` / `celery -A core.worker beat`."""

from core.config import create_app_or_exit

flask_app = create_app_or_exit()
celery = flask_app.extensions["celery"]
# Import every package's tasks so the worker knows them by name.
celery.autodiscover_tasks(
    ["core", "casework", "assessments", "budgets", "providers", "reports"], force=True
)
