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
  # A worker can hang in its warm shutdown when its pool children were signalled too: give
  # everything 15 seconds, then end what is left (a task cut short is sent again later).
  local deadline=$((SECONDS + 15)) pid child
  local started="${WORKER:-} ${BEAT:-} ${WEB:-}"
  # shellcheck disable=SC2086 # one pid a word
  while kill -0 $started 2>/dev/null && [ "$SECONDS" -lt "$deadline" ]; do sleep 0.5; done
  for pid in $started; do
    for child in $(pgrep -P "$pid"); do
      pkill -KILL -P "$child" 2>/dev/null || true
      kill -KILL "$child" 2>/dev/null || true
    done
    kill -KILL "$pid" 2>/dev/null || true
  done
  wait 2>/dev/null || true
  echo "Stopped."
  exit 0
}
trap stop INT TERM EXIT

# Start the Celery LABEL again whenever it dies (on the embedded broker a worker whose pool
# child was killed can take its main process down with it), but not when it was asked to stop
# (Ctrl-C or this script's stop: exit 0, or 130/143 for INT/TERM). It traps INT as well as
# TERM: a subshell of a script that traps INT would otherwise die of Ctrl-C at once, leaving a
# restarted worker behind with no one to stop it.
keep_running() {
  local label=$1 child="" status
  shift
  trap 'kill -TERM $child 2>/dev/null; wait $child 2>/dev/null; exit 0' TERM INT
  while :; do
    "$@" &
    child=$!
    wait "$child" && status=0 || status=$?
    case $status in 0 | 130 | 143) exit 0 ;; esac
    echo "$(date '+%Y-%m-%d %H:%M:%S') the Celery $label died (exit $status): starting it again"
    sleep 2
  done
}

# The worker and beat log to instance/worker.log so the sign-in details stay readable.
keep_running worker "$BIN/celery" -A core.worker worker --loglevel=info --concurrency=2 \
  --without-gossip --without-mingle >"$LOG" 2>&1 &
WORKER=$!
keep_running beat "$BIN/celery" -A core.worker beat --loglevel=info \
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
