"""WSGI entry point: `gunicorn wsgi:app`, `flask --app wsgi ...`."""

from core.config import create_app_or_exit

app = create_app_or_exit()
celery = app.extensions["celery"]
