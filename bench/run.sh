#!/usr/bin/env bash
# Runs the whole benchmark on one corpus size: generate, our engine (build,
# in-process queries with a CPU profile, HTTP load), Lucene 4.10.4 and 8.8.1,
# SQLite FTS5, PostgreSQL, record files to a ready server (READY_N
# paragraphs as record files, `serve --corpus`), then the report
# bench/out/results.md.
# Usage: bench/run.sh [N] (paragraphs; default 100000). Environment:
# REPS (3), SQL_REPS (timed passes for SQLite and PostgreSQL, default REPS:
# they are 10-100x slower per query), DURATION (10s per HTTP run), RATE (open-loop req/s, 200),
# ENGINES ("ours lucene lucene8 sqlite pg http ready"), READY_N (46000: about
# 2,000 files and 49k paragraphs).
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-100000}
REPS=${REPS:-3}
SQL_REPS=${SQL_REPS:-$REPS}
DURATION=${DURATION:-10s}
RATE=${RATE:-200}
ENGINES=${ENGINES:-"ours lucene lucene8 sqlite pg http ready"}
READY_N=${READY_N:-46000}
OUT=bench/out
PORT=${PORT:-8099}
has() { [[ " $ENGINES " == *" $1 "* ]]; }
mkdir -p "$OUT"

go run ./bench/benchgen -n "$N" -out "$OUT"
go build -o "$OUT/benchrun" ./bench/benchrun
if has ours; then go build -o "$OUT/benchours" ./bench/benchours; fi

if has ours; then
  "$OUT/benchours" build -n "$N" -out "$OUT" -buildprofile "$OUT/ours-build-$N.pprof"
  "$OUT/benchours" query -n "$N" -out "$OUT" -reps "$REPS" -cpuprofile "$OUT/ours-query-$N.pprof"
  go tool pprof -top -nodecount=25 "$OUT/benchours" "$OUT/ours-query-$N.pprof" > "$OUT/ours-query-$N.top.txt" 2>/dev/null || true
  go tool pprof -top -nodecount=25 "$OUT/benchours" "$OUT/ours-build-$N.pprof" > "$OUT/ours-build-$N.top.txt" 2>/dev/null || true
fi
has lucene && "$OUT/benchrun" lucene -n "$N" -out "$OUT" -reps "$REPS"
has lucene8 && "$OUT/benchrun" lucene8 -n "$N" -out "$OUT" -reps "$REPS"
has sqlite && "$OUT/benchrun" sqlite -n "$N" -out "$OUT" -reps "$SQL_REPS"
has pg && "$OUT/benchrun" pg -n "$N" -out "$OUT" -reps "$SQL_REPS"

if has http && has ours; then
  # Our server on core 0 through the real router; wrk/hey on core 1.
  taskset -c 0 "$OUT/benchours" serve -n "$N" -out "$OUT" -addr "127.0.0.1:$PORT" &
  SRV=$!
  trap 'kill $SRV 2>/dev/null || true' EXIT
  "$OUT/benchrun" http -n "$N" -out "$OUT" -url "http://127.0.0.1:$PORT" -duration "$DURATION" -rate "$RATE" || echo "bench: HTTP run of our server failed" >&2
  kill "$SRV"; wait "$SRV" || true
  trap - EXIT
fi
for L in lucene lucene8; do
  if has http && has $L; then
    "$OUT/benchrun" http -engine $L -n "$N" -out "$OUT" -port "$PORT" -duration "$DURATION" -rate "$RATE" || echo "bench: HTTP run of $L failed" >&2
  fi
done
if has ready; then
  rm -rf "$OUT/files-$READY_N"
  go run ./bench/benchgen -n "$READY_N" -out "$OUT/ready-gen" -files "$OUT/files-$READY_N" >/dev/null
  "$OUT/benchrun" ready -n "$READY_N" -out "$OUT" -files "$OUT/files-$READY_N"
fi
"$OUT/benchrun" report -n "$N" -out "$OUT"
echo "bench: wrote $OUT/results.md"
