#!/usr/bin/env bash
# Start the web app, a Celery worker and Celery beat together; Ctrl-C stops them all.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
PORT=${PORT:-5000}
export APP_ENV=${APP_ENV:-development}
LOG=instance/worker.log

stop() {
  trap - INT TERM EXIT
  echo
  echo "Stopping..."
  kill -TERM ${WORKER:-} ${BEAT:-} ${WEB:-} 2>/dev/null || true
  wait 2>/dev/null || true
  echo "Stopped."
  exit 0
}
trap stop INT TERM EXIT

# The worker and beat log to instance/worker.log so the sign-in details stay readable.
"$BIN/celery" -A core.worker worker --loglevel=info --concurrency=2 \
  --without-gossip --without-mingle >"$LOG" 2>&1 &
WORKER=$!
"$BIN/celery" -A core.worker beat --loglevel=info \
  --schedule instance/celerybeat-schedule >>"$LOG" 2>&1 &
BEAT=$!

echo
echo "Short breaks and direct payments is running at http://127.0.0.1:${PORT}"
echo "A Celery worker and beat are running on the embedded broker (log: $LOG)."
echo "No PostgreSQL or Redis needed: the database and task queue are SQLite files in instance/."
echo
echo "Sign in with any of these demo accounts:"
"$BIN/flask" --app wsgi sign-in-details
echo
echo "Press Ctrl-C to stop."
echo
"$BIN/flask" --app wsgi run --host 127.0.0.1 --port "$PORT" --no-reload &
WEB=$!
wait "$WEB"
