#!/usr/bin/env bash
# Issue 14 point 2: cheap-search latency while 10 clients send the worst accepted query.
# Usage: bench/overload.sh BINARY   (from the project root, on a quiet machine;
# docs/operations.md "Overload" has the figures)
set -euo pipefail
BIN=${1:-/tmp/ds-ov}
W=/tmp/ov; rm -rf $W; mkdir -p $W
go run ./bench/benchgen -n 10000 -out $W/gen -files $W/files >/dev/null
# 64 distinct common words of the vocabulary, OR'd (the cost budget's limit)
WORST=$(grep -v -x -f $W/gen/stopwords.txt $W/gen/vocab.txt | awk 'length($0)>3' | head -64 | paste -sd' ' | sed 's/ /+OR+/g')
$BIN serve --corpus $W/files --data $W/data --addr 127.0.0.1:18181 > $W/serve.log 2>&1 &
SRV=$!
trap 'kill $SRV 2>/dev/null || true' EXIT
until curl -sf http://127.0.0.1:18181/readyz >/dev/null; do sleep 0.5; done
echo "RSS before: $(ps -o rss= -p $SRV) KB"
curl -s -o /dev/null -w 'worst alone: %{http_code} %{time_total}s\n' "http://127.0.0.1:18181/api/search?q=$WORST"
echo "== cheap alone"; hey -c 2 -z 15s "http://127.0.0.1:18181/api/search?q=deterrence" | grep -E 'Requests/sec|50%|99%|\[2|\[4|\[5'
hey -c 10 -z 20s -t 30 "http://127.0.0.1:18181/api/search?q=$WORST" > $W/worst.txt &
sleep 2
echo "== cheap with 10 worst clients"; hey -c 2 -z 15s "http://127.0.0.1:18181/api/search?q=deterrence" | grep -E 'Requests/sec|50%|99%|\[2|\[4|\[5'
echo "RSS under load: $(ps -o rss= -p $SRV) KB"
wait %2 2>/dev/null || true; sleep 5
echo "== worst"; grep -E 'Requests/sec|50%|99%|\[2|\[4|\[5' $W/worst.txt
sleep 25; echo "RSS 30 s after: $(ps -o rss= -p $SRV) KB"
