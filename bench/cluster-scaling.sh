#!/usr/bin/env bash
# Cluster scaling (README "Cluster"): one coordinator JVM and 1, 2, 4 worker JVMs on loopback, the
# synthetic backend with a fixed wall-clock latency per batch (BATCH_LATENCY, 20ms: a GPU forward
# pass's order of magnitude) and small batches (BATCH_SIZE), so that the model time, not this
# machine's CPU, bounds the throughput. Each size runs a warm-up run, then QUESTIONS questions of
# best-of-n at budget 8 (probe 4 + main 4: four model round trips per question), timed by the run's
# own startedAt/endedAt. Prints questions/s and the speed-up over one worker node.
# BACKEND=onnx runs the shipped ONNX models instead (no simulated latency, the configured batch
# size): on one machine the worker JVMs then share its cores, so this measures how far the cores,
# not the cluster, bound the throughput.
#   bench/cluster-scaling.sh            NODES="1 2 4" QUESTIONS=600 BATCH_LATENCY=20ms BATCH_SIZE=2
#   BACKEND=onnx NODES="1 2" QUESTIONS=100 WARMUP=20 bench/cluster-scaling.sh
# Each size also prints the coordinator's CPU seconds per 1,000 questions over the measured run
# (user + system, from /proc: what the coordinator spends per question, whatever the load),
# divided by the questions the run really answered (before, by QUESTIONS: a QUESTIONS above the
# 1,200 test questions was overstated; now questions_json goes round the file again instead).
# RECKON_HOME=DIR runs another checkout's built jar with this script (a baseline, in one sitting).
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
cd "${RECKON_HOME:-$here}"
BACKEND=${BACKEND:-synthetic}
NODES=${NODES:-1 2 4}
QUESTIONS=${QUESTIONS:-600}
WARMUP=${WARMUP:-100}
BATCH_LATENCY=${BATCH_LATENCY:-20ms}
WORKER_EXTRA=()
if [[ "$BACKEND" == synthetic ]]; then
  export RECKON_BATCH_SIZE=${BATCH_SIZE:-2}
  WORKER_EXTRA=(--batch-latency "$BATCH_LATENCY")
  described="synthetic backend, ${BATCH_LATENCY} per batch, batch size ${RECKON_BATCH_SIZE}"
elif [[ "$BACKEND" == onnx ]]; then
  [[ -z "${BATCH_SIZE:-}" ]] || export RECKON_BATCH_SIZE=$BATCH_SIZE
  described="shipped ONNX models, batch size ${RECKON_BATCH_SIZE:-as configured}"
else
  echo "BACKEND must be synthetic or onnx (got $BACKEND)" >&2; exit 2
fi
export RECKON_SBR_STABLE_AFTER=5s
# COORD_JFR=PREFIX records the coordinator with JDK Flight Recorder (profile settings) and dumps
# PREFIX-<nodes>.jfr after the measured run (summarise with python3 bench/jfr-top.py FILE).
if [[ -n "${COORD_JFR:-}" ]]; then
  export COORD_JVM_OPTS="${COORD_JVM_OPTS:-} -XX:StartFlightRecording=settings=profile"
fi
WORK=$(mktemp -d /tmp/reckon-cluster-scaling.XXXXXX)
# shellcheck source=bench/cluster-lib.sh
source "$here/bench/cluster-lib.sh"
trap cleanup EXIT
[[ -f "$JAR" ]] || mvn -B -q -pl app -am -DskipTests package
echo "machine: $(nproc) cores, $(java -version 2>&1 | head -1), $(date -u '+%Y-%m-%d %H:%M UTC'), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "$described, ${QUESTIONS} questions best-of-n budget 8 (warm-up ${WARMUP})"
questions_json "$QUESTIONS" best-of-n 8 1 > "$WORK/run.json"
questions_json "$WARMUP" best-of-n 8 2 > "$WORK/warmup.json"
base=""
port=26000
for n in $NODES; do
  http=$((18600 + n)); cport=$((port + n * 10))
  rm -rf "$WORK/store"
  RECKON_CONCURRENCY=${CONCURRENCY:-128} start_coordinator "coord-$n" "$http" "$cport" "127.0.0.1:$cport" --backend "$BACKEND"
  waiters=()
  for k in $(seq 1 "$n"); do
    start_worker "worker-$n-$k" $((cport + k)) "127.0.0.1:$cport" --backend "$BACKEND" "${WORKER_EXTRA[@]}" &
    waiters+=($!)
  done
  wait "${waiters[@]}"
  sleep 3 # the Receptionist's gossip reaches the coordinator
  id=$(submit "$http" "$WORK/warmup.json"); wait_done "$http" "$id"
  coord=$(cat "$WORK/coord-$n.pid")
  cpu0=$(cpu_seconds "$coord")
  id=$(submit "$http" "$WORK/run.json"); wait_done "$http" "$id"
  cpu1=$(cpu_seconds "$coord"); sleep 1.5
  done_n=$(field "$http" "$id" done)
  if [[ -n "${COORD_JFR:-}" ]]; then
    jcmd "$coord" JFR.dump filename="$COORD_JFR-$n.jfr" > /dev/null
  fi
  rate=$(curl -sf "localhost:$http/v1/runs/$id" | python3 -c '
import json, sys
from datetime import datetime
s = json.load(sys.stdin)["status"]
t = lambda x: datetime.fromisoformat(x.replace("Z", "+00:00")[:26] + "+00:00")
print("%.1f" % (s["done"] / (t(s["endedAt"]) - t(s["startedAt"])).total_seconds()))')
  [[ -n "$base" ]] || base=$rate
  shares=""
  for k in $(seq 1 "$n"); do shares="$shares worker-$k=$(served "worker-$n-$k")"; done
  printf '%d worker node(s): %s questions/s  speed-up %sx  coordinator CPU %s s per 1,000 questions  (requests served:%s; load %s)\n' "$n" "$rate" \
    "$(python3 -c "print('%.2f' % ($rate / $base))")" \
    "$(python3 -c "print('%.1f' % (($cpu1 - $cpu0) * 1000 / $done_n))")" "$shares" "$(cut -d' ' -f1-3 /proc/loadavg)"
  cleanup; : > "$WORK/pids"
  sleep 2
done
