#!/usr/bin/env bash
# Reckon's model recipe: regenerates data/arith and models/{arith-policy,arith-policy-large,arith-prm}
# from scratch with fixed seeds on CPU (Debian python3-torch), verifies every export with
# onnx.checker and ONNX Runtime (Java) vs PyTorch, measures the quality numbers and writes
# them into the model cards. About 2.5 hours on 2 otherwise idle cores (stages 1-3 ~35 min,
# stage 4 45 min, large 15 min beside the PRM's sampling and first steps, PRM ~35 min in all,
# evaluation ~10 min).
#
#   models/train.sh                # everything
#   WORK=/tmp/reckon-train models/train.sh   # where checkpoints, samples and logs go
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
WORK="${WORK:-/tmp/reckon-train}"
PY=/usr/bin/python3
ORT_VERSION=1.29.0
export OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 PYTHONHASHSEED=0
mkdir -p "$WORK"
cd "$ROOT"

# 1. Debian packages (PyPI is not needed). OpenBLAS matters: with Debian's reference BLAS
#    torch trains ~20x slower.
if ! $PY -c 'import torch, onnx, numpy' 2>/dev/null || ! ls /usr/lib/x86_64-linux-gnu/openblas-pthread/libblas.so.3 >/dev/null 2>&1; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO=sudo
  $SUDO apt-get update
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y python3-torch python3-onnx python3-numpy libopenblas0-pthread openjdk-17-jdk-headless maven
fi

# 2. question sets
$PY models/tools/gen_data.py data/arith

# 3. small policy, in stages. Stages 1-3 were trained with wall-clock schedules on 2 shared cores;
#    the step counts below are the steps those schedules reached, so a rerun gives a model of the
#    same recipe, not bit-identical weights. Stages 1-2 use the earlier, harder level table v0 (the
#    question sets exclude everything they drew, see gen_data.py). Stage 4 is the long one: two
#    data-parallel 1-thread processes (on 2 cores ~1.6x the tokens/s of one 2-thread process),
#    with a 45-minute wall-clock schedule (SMALL4_MINUTES).
P="--layers 3 --heads 4 --hidden 112 --max-positions 640"
T=models/tools/train_policy.py
nice -n 10 $PY $T --data data/arith --out "$WORK/small_stage1.pt" $P --batch-tokens 4096 --lr 3e-3 \
  --steps 2400 --stop-at 400 --seed 1 --level-table v0 > "$WORK/small_stage1.log" 2>&1
nice -n 10 $PY $T --data data/arith --init "$WORK/small_stage1.pt" --out "$WORK/small_stage2.pt" $P --batch-tokens 2048 \
  --lr 2e-3 --steps 2671 --stop-at 2300 --seed 11 --level-table v0 > "$WORK/small_stage2.log" 2>&1
nice -n 10 $PY $T --data data/arith --init "$WORK/small_stage2.pt" --out "$WORK/small_stage3.pt" $P --batch-tokens 2048 \
  --lr 2e-3 --revision-frac 0.2 --level-weights 3,3,2,1.5,1,1 --steps 1774 --seed 13 > "$WORK/small_stage3.log" 2>&1
S4="--data data/arith --init $WORK/small_stage3.pt --out $WORK/small.pt $P --batch-tokens 4096 --lr 2e-3 --revision-frac 0.25
    --level-weights 3,3,2,1.5,1,1 --minutes ${SMALL4_MINUTES:-45} --seed 17 --ckpt-every 250"
export MASTER_ADDR=127.0.0.1 MASTER_PORT=${MASTER_PORT:-29541} WORLD_SIZE=2
# shellcheck disable=SC2086
RANK=1 $PY $T $S4 > "$WORK/small_stage4_rank1.log" 2>&1 &
# shellcheck disable=SC2086
RANK=0 $PY $T $S4 > "$WORK/small_stage4.log" 2>&1
wait
unset MASTER_ADDR MASTER_PORT WORLD_SIZE

# 4. large policy: the final small policy widened 3x (Net2Net-style, function preserving: 9x the
#    parameters), then trained further (wall-clock schedule, one core); side by side with it, the
#    PRM (below) on the other core. The widened model keeps a low learning rate: at 5e-4 its loss
#    doubled in the first 100 steps (0.04 -> 0.11) before it could use the new width.
$PY models/tools/grow.py --small "$WORK/small.pt" --out "$WORK/large_init.pt" --factor 3
$PY $T --data data/arith --init "$WORK/large_init.pt" --out "$WORK/large.pt" --layers 3 --heads 12 --hidden 336 \
  --max-positions 640 --batch-tokens 2048 --lr 1.5e-4 --revision-frac 0.25 --level-weights 3,3,2,1.5,1,1 \
  --minutes "${LARGE_MINUTES:-15}" --seed 15 --ckpt-every 50 > "$WORK/large.log" 2>&1 &
LARGE=$!
# PRM v3 (issue 14): 2 x 4000 questions x 8 samples of the small policy, hard step labels,
# contrastive slip pairs, LM loss, the LM-surprise score feature; a step-count schedule,
# checkpointed every 50 steps (--resume: a rerun of a line continues it). The shipped run was
# steered by the machine it shared (see the PRM card): one process on 32,000 samples with a
# 2000-step schedule, stretched to 4000 steps at step 950; at step 2300 the second 32,000 samples
# (stream seed 4) joined and two data-parallel ranks took over. The lines below replay that.
PRM="--data data/arith --policy $WORK/small.pt --out $WORK/prm.pt --questions 4000 --per-question 8
     --sample-level-weights 1,1,1.25,1.25,1.25,0.75 --batch-tokens 4096 --lr 3e-4 --warmup 100 --feature lm-surprise
     --pair-frac 0.35 --lm-weight 1 --rank-weight 1 --dedupe --ckpt-every 50 --resume --seed 3"
S3="--samples-cache $WORK/prm_samples_v3.jsonl --sample-seeds 3"
S34="--samples-cache $WORK/prm_samples_v3.jsonl,$WORK/prm_samples_v3_s4.jsonl --sample-seeds 3,4"
# shellcheck disable=SC2086
$PY models/tools/train_prm.py $PRM $S34 --sample-only > "$WORK/prm.log" 2>&1
# shellcheck disable=SC2086
$PY models/tools/train_prm.py $PRM $S3 --steps 2000 --stop-at 950 >> "$WORK/prm.log" 2>&1
# shellcheck disable=SC2086
$PY models/tools/train_prm.py $PRM $S3 --steps 4000 --stop-at 2300 >> "$WORK/prm.log" 2>&1
wait $LARGE
export MASTER_ADDR=127.0.0.1 MASTER_PORT=${MASTER_PORT:-29541} WORLD_SIZE=2
# shellcheck disable=SC2086
RANK=1 $PY models/tools/train_prm.py $PRM $S34 --steps 4000 > "$WORK/prm_rank1.log" 2>&1 &
# shellcheck disable=SC2086
RANK=0 $PY models/tools/train_prm.py $PRM $S34 --steps 4000 >> "$WORK/prm.log" 2>&1
wait
unset MASTER_ADDR MASTER_PORT WORLD_SIZE

# 5. export + onnx.checker
$PY models/tools/export_onnx.py --ckpt "$WORK/small.pt" --outdir models/arith-policy --name arith-policy --kind causal-lm
$PY models/tools/export_onnx.py --ckpt "$WORK/large.pt" --outdir models/arith-policy-large --name arith-policy-large --kind causal-lm
$PY models/tools/export_onnx.py --ckpt "$WORK/prm.pt" --outdir models/arith-prm --name arith-prm --kind prm

# 6. quality numbers on the test split -> model cards (the policy/PRM part and the large part
#    side by side)
E="--data data/arith --small $WORK/small.pt --large $WORK/large.pt --prm $WORK/prm.pt --cache $WORK/eval
   --per-level ${EVAL_PER_LEVEL:-30} --n ${EVAL_N:-16}"
# shellcheck disable=SC2086
$PY models/tools/evaluate.py $E --out "$WORK/metrics_sp.json" --only small,prm > "$WORK/eval_sp.log" 2>&1 &
# shellcheck disable=SC2086
$PY models/tools/evaluate.py $E --out "$WORK/metrics_l.json" --only large > "$WORK/eval_l.log" 2>&1
wait
$PY models/tools/merge_metrics.py "$WORK/metrics.json" "$WORK/metrics_sp.json" "$WORK/metrics_l.json"
$PY models/tools/notes.py "$WORK/metrics.json"
$PY models/tools/write_cards.py --metrics "$WORK/metrics.json"

# 7. final check: data, layouts, ONNX Runtime (Java) vs PyTorch
if [ ! -f "$WORK/ort/onnxruntime-$ORT_VERSION.jar" ]; then
  (cd "$WORK" && mvn -q dependency:copy -Dartifact=com.microsoft.onnxruntime:onnxruntime:$ORT_VERSION -DoutputDirectory="$WORK/ort")
fi
$PY models/check.py --ckpts "$WORK" --ort-jar "$WORK/ort/onnxruntime-$ORT_VERSION.jar"
