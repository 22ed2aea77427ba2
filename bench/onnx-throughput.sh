#!/usr/bin/env bash
# Raw ONNX Runtime decode throughput of the shipped policy model (tokens/s at batch 1, 8, 32, 64,
# KV cache, after warm-up), next to the same batches through OnnxCausalLm.generate.
# Prints a markdown table. Arguments go to io.reckon.bench.onnx.OnnxThroughput:
#   bench/onnx-throughput.sh [--model models/arith-policy] [--device cpu|cuda:0] [--threads 0]
#                            [--batches 1,8,32,64] [--steps 64] [--repeats 5]
# For device cuda:N build with the GPU artifact: MVN_ARGS=-Pcuda bench/onnx-throughput.sh --device cuda:0
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
mvn -q -B ${MVN_ARGS:-} -pl app,bench -am -DskipTests package
# On reckon.jar's classpath (the one users run): on the bench module's own Maven classpath the
# tokenizer's native library crashed the JVM at load (SIGSEGV, 2026-12-01), with the same jars.
exec java -cp "bench/target/classes:app/target/reckon.jar" io.reckon.bench.onnx.OnnxThroughput "$@"
