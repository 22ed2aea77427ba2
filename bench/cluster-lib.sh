# Helpers for the cluster benchmarks (sourced by cluster-scaling.sh and cluster-drill.sh): start a
# coordinator or a worker JVM from the shaded jar, submit a run over HTTP, read its status.
# Every JVM this starts is recorded in $WORK/pids and stopped by cleanup (trap it).
JAR=${JAR:-app/target/reckon.jar}
JVM=${JVM:-java -Xms128m -Xmx384m -XX:+UseSerialGC -Dslf4j.internal.verbosity=ERROR}
NICE=${NICE:-nice -n 10}

cleanup() {
  if [[ -f "$WORK/pids" ]]; then
    while read -r pid; do kill -9 "$pid" 2>/dev/null || true; done < "$WORK/pids"
  fi
}

now() { date +%s.%N; }

# cpu_seconds PID: user + system CPU time the process has used so far (from /proc).
cpu_seconds() {
  awk -v hz="$(getconf CLK_TCK)" '{ printf "%.2f\n", ($14 + $15) / hz }' "/proc/$1/stat"
}

# start_coordinator NAME HTTP_PORT CLUSTER_PORT SEEDS [extra args...]  (env passes through)
# SEED_FLAG: the serve option that names the seed nodes (--seed-nodes; --seed for a baseline
# checkout older than 0.1.0's CLI rename, e.g. RECKON_HOME=... SEED_FLAG=--seed)
start_coordinator() {
  local name=$1 http=$2 port=$3 seeds=$4; shift 4
  # shellcheck disable=SC2086 # COORD_JVM_OPTS: extra options for the coordinator only (e.g. JFR)
  RECKON_STORE_DIR="$WORK/store" $NICE $JVM ${COORD_JVM_OPTS:-} -jar "$JAR" serve --cluster --port "$http" \
    --cluster-port "$port" "${SEED_FLAG:---seed-nodes}" "$seeds" "$@" > "$WORK/$name.log" 2>&1 &
  disown  # cleanup's kill -9 is not news
  echo $! >> "$WORK/pids"
  echo $! > "$WORK/$name.pid"
  wait_for_line "$WORK/$name.log" "listening on" "${START_TIMEOUT:-180}"
}

# start_worker NAME CLUSTER_PORT JOIN [extra args...]
start_worker() {
  local name=$1 port=$2 join=$3; shift 3
  RECKON_PROGRESS_INTERVAL=${RECKON_PROGRESS_INTERVAL:-1s} $NICE $JVM -jar "$JAR" worker \
    --join "$join" --cluster-port "$port" "$@" > "$WORK/$name.log" 2>&1 &
  disown
  echo $! >> "$WORK/pids"
  echo $! > "$WORK/$name.pid"
  # Registered on the coordinator's side once it has printed what it served (it is up then).
  wait_for_line "$WORK/$name.log" "reckon worker: served" "${START_TIMEOUT:-180}"
}

wait_for_line() {
  local file=$1 text=$2 limit=$3 waited=0
  until grep -q "$text" "$file" 2>/dev/null; do
    sleep 0.5; waited=$((waited + 1))
    if (( waited > limit * 2 )); then
      echo "timed out waiting for '$text' in $file:" >&2; tail -20 "$file" >&2; exit 1
    fi
  done
}

# questions_json N STRATEGY BUDGET SEED: a runs-API request of the first N test questions.
questions_json() {
  python3 - "$@" <<'PY'
import json, sys
n, strategy, budget, seed = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
qs = []
with open("data/arith/test.jsonl") as f:
    for line in f:
        qs.append(json.loads(line))
# Every level: take questions spread evenly over the file (sorted by level).
step = max(1, len(qs) // n)
picked = qs[::step][:n]
print(json.dumps({"questions": [{"id": q["id"], "question": q["question"], "answer": q["answer"],
                                 "level": q["level"]} for q in picked],
                  "strategy": strategy, "budget": budget, "seed": seed}))
PY
}

# submit HTTP_PORT FILE -> prints the run id
submit() {
  curl -sf -XPOST "localhost:$1/v1/runs" -H 'content-type: application/json' --data-binary @"$2" \
    | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])'
}

# field HTTP_PORT RUN_ID FIELD -> a field of the run's status ("" when the coordinator is down)
field() {
  curl -sf --max-time 5 "localhost:$1/v1/runs/$2" 2>/dev/null \
    | python3 -c "import json,sys; print(json.load(sys.stdin)['status']['$3'])" 2>/dev/null || true
}

# wait_done HTTP_PORT RUN_ID: until the run is no longer running
wait_done() {
  while [[ "$(field "$1" "$2" state)" != "finished" ]]; do sleep 0.5; done
}

# served NAME: the last ledger line of a worker ("name=requests ..." pairs), summed
served() {
  grep "reckon worker: served" "$WORK/$1.log" | tail -1 \
    | tr ' ' '\n' | grep '=' | awk -F= '{s += $2} END {print s + 0}'
}
