#!/usr/bin/env bash
# `make bench`: the app under gunicorn on PostgreSQL with demo data, measured by
# benchmarks/http_bench.py; then each package's own benchmark if its script exists.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
PG=${BENCH_PG:-postgresql://postgres@127.0.0.1:5432}
DB=${BENCH_DB:-shortbreaks_bench}
PORT=${BENCH_PORT:-8765}
WORKERS=${BENCH_WORKERS:-2}

psql "$PG/postgres" -qc "DROP DATABASE IF EXISTS $DB" -qc "CREATE DATABASE $DB" >/dev/null
export APP_ENV=production SECRET_KEY=benchmark-only-secret-key-0123456789
export DATABASE_URL="$PG/$DB"
export CELERY_BROKER_URL=${CELERY_BROKER_URL:-memory://} CELERY_RESULT_BACKEND=${CELERY_RESULT_BACKEND:-cache+memory://}
$BIN/flask --app wsgi db upgrade >/dev/null
echo "Loading demo data into $DB..."
$BIN/flask --app wsgi demo-data >/dev/null
# Measure the steady state, not autovacuum analysing the new tables (and writing out what the
# load left in memory) halfway through a run: a database in use has its statistics already.
psql "$PG/$DB" -qc "VACUUM ANALYZE" -qc "CHECKPOINT" >/dev/null


$BIN/gunicorn -w "$WORKERS" -b "127.0.0.1:$PORT" \
  --access-logfile /dev/null --error-logfile benchmarks/gunicorn.log benchmarks.bench_wsgi:app &
GUNICORN=$!
trap 'kill $GUNICORN 2>/dev/null || true' EXIT
for _ in $(seq 50); do curl -fs "http://127.0.0.1:$PORT/health/live" >/dev/null && break; sleep 0.2; done

echo "== Signed-in page against bare page (gunicorn, $WORKERS workers, PostgreSQL) =="
$BIN/python benchmarks/http_bench.py --base "http://127.0.0.1:$PORT" \
  --email practitioner@example.gov.uk --password demo-password-2026 \
  --page "${BENCH_PAGE:-/casework/}" --seconds "${BENCH_SECONDS:-30}"
kill $GUNICORN 2>/dev/null || true
wait $GUNICORN 2>/dev/null || true
trap - EXIT

for script in benchmarks/casework_search.py benchmarks/statement.py; do
  if [ -f "$script" ]; then
    echo "== $script =="
    $BIN/python "$script"
  fi
done
