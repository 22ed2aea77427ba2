#!/usr/bin/env bash
# Cluster kill drill (README "Cluster"): a coordinator and two worker JVMs on loopback with the
# shipped ONNX models, one run of QUESTIONS (300) questions over HTTP. At 30 % done one worker is
# killed with kill -9; at 60 % a new worker joins; at 80 % the coordinator is killed with kill -9
# and started again. The run must finish with every question answered exactly once (the results
# stream has QUESTIONS lines with QUESTIONS distinct ids: nothing lost, nothing recomputed).
# Prints the timeline and each worker node's share of the requests.
#   bench/cluster-drill.sh        QUESTIONS=300 STRATEGY=best-of-n BUDGET=8 BACKEND=onnx
#   BACKEND=synthetic WORKER_ARGS="--batch-latency 200ms" RECKON_BATCH_SIZE=2 bench/cluster-drill.sh
#     (the same drill on the synthetic backend, slowed down so that the run outlasts the restarts)
set -euo pipefail
cd "$(dirname "$0")/.."
QUESTIONS=${QUESTIONS:-300}
STRATEGY=${STRATEGY:-best-of-n}
BUDGET=${BUDGET:-8}
BACKEND=${BACKEND:-onnx}
read -r -a WORKER_EXTRA <<< "${WORKER_ARGS:-}"
# Short resolver timing: a killed node is downed ~5 s after it stops answering heartbeats.
export RECKON_SBR_STABLE_AFTER=${RECKON_SBR_STABLE_AFTER:-5s}
WORK=$(mktemp -d /tmp/reckon-cluster-drill.XXXXXX)
# shellcheck source=bench/cluster-lib.sh
source bench/cluster-lib.sh
trap cleanup EXIT
[[ -f "$JAR" ]] || mvn -B -q -pl app -am -DskipTests package
HTTP=18700; C=26500; W1=26501; W2=26502; W3=26503
# The coordinator lists the long-lived workers after itself: restarted, it finds the cluster
# through them instead of founding a new one.
SEEDS="127.0.0.1:$C,127.0.0.1:$W2,127.0.0.1:$W3"
echo "machine: $(nproc) cores, $(java -version 2>&1 | head -1), $(date -u '+%Y-%m-%d %H:%M UTC'), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "drill: $QUESTIONS questions, $STRATEGY budget $BUDGET, backend $BACKEND; work folder $WORK"
T0=$(now)
mark() { printf '%7.1fs  %-46s done=%s\n' "$(python3 -c "print($(now) - $T0)")" "$1" "${2:-}"; }

start_coordinator coordinator "$HTTP" "$C" "$SEEDS" --backend "$BACKEND"
mark "coordinator up"
start_worker worker-1 "$W1" "127.0.0.1:$C" --backend "$BACKEND" "${WORKER_EXTRA[@]}" & w1=$!
start_worker worker-2 "$W2" "127.0.0.1:$C" --backend "$BACKEND" "${WORKER_EXTRA[@]}" & w2=$!
wait "$w1" "$w2"
mark "worker-1 and worker-2 up"
sleep 3
questions_json "$QUESTIONS" "$STRATEGY" "$BUDGET" 1 > "$WORK/run.json"
ID=$(submit "$HTTP" "$WORK/run.json")
mark "run $ID submitted" 0
stage=0
while true; do
  done_now=$(field "$HTTP" "$ID" done)
  state=$(field "$HTTP" "$ID" state)
  [[ "$state" == "finished" ]] && break
  if [[ -n "$done_now" ]]; then
    if (( stage == 0 && done_now * 100 >= QUESTIONS * 30 )); then
      kill -9 "$(cat "$WORK/worker-1.pid")"; mark "kill -9 worker-1" "$done_now"; stage=1
    elif (( stage == 1 && done_now * 100 >= QUESTIONS * 60 )); then
      mark "starting worker-3" "$done_now"
      start_worker worker-3 "$W3" "127.0.0.1:$C" --backend "$BACKEND" "${WORKER_EXTRA[@]}"
      mark "worker-3 up" "$(field "$HTTP" "$ID" done)"; stage=2
    elif (( stage == 2 && done_now * 100 >= QUESTIONS * 80 )); then
      kill -9 "$(cat "$WORK/coordinator.pid")"; mark "kill -9 coordinator" "$done_now"; stage=3
      sleep 1
      mv "$WORK/coordinator.log" "$WORK/coordinator-1.log"
      start_coordinator coordinator "$HTTP" "$C" "$SEEDS" --backend "$BACKEND"
      mark "coordinator restarted" "$(field "$HTTP" "$ID" done)"
      until [[ "$(field "$HTTP" "$ID" executing)" == "True" || "$(field "$HTTP" "$ID" state)" == "finished" ]]; do sleep 0.5; done
      mark "run resumed on the new coordinator" "$(field "$HTTP" "$ID" done)"
    fi
  fi
  sleep 0.5
done
mark "run finished" "$(field "$HTTP" "$ID" done)"
sleep 1.5
curl -sf "localhost:$HTTP/v1/runs/$ID/results" > "$WORK/results.ndjson"
python3 - "$WORK/results.ndjson" "$QUESTIONS" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
ids = {r["id"] for r in rows}
ok = sum(1 for r in rows if r.get("status") == "ok")
correct = sum(1 for r in rows if r.get("correct"))
print(f"results: {len(rows)} lines, {len(ids)} distinct questions, {ok} ok, {correct} correct "
      f"(expected {sys.argv[2]}; lost {int(sys.argv[2]) - len(ids)}, recomputed {len(rows) - len(ids)})")
PY
total=0
for w in worker-1 worker-2 worker-3; do total=$((total + $(served "$w"))); done
for w in worker-1 worker-2 worker-3; do
  s=$(served "$w")
  printf 'share %-9s %6d requests  %5.1f %%\n' "$w" "$s" "$(python3 -c "print(100 * $s / max(1, $total))")"
done
echo "(worker-1's count is its last ledger line before the kill, printed every second)"
