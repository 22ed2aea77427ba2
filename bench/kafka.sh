#!/usr/bin/env bash
# Kafka front door (README "Kafka"): records/s on the synthetic backend with a backlog of
# questions on the topic, and end-to-end latency at a light paced rate, against an in-process
# broker (embedded-kafka) in the same JVM as the server. It runs as a test class that is skipped
# unless -Dreckon.bench=true. Knobs: QUESTIONS (backlog, 2000), PACED (100), RATE (10/s),
# STRATEGY (beam:m=4), BUDGET (16).
set -euo pipefail
cd "$(dirname "$0")/.."
# One reactor build, so that the server runs against this checkout's modules, not ~/.m2's.
mvn -B -pl server -am test-compile surefire:test -Dtest=KafkaBench -Dreckon.bench=true \
  -Dsurefire.failIfNoSpecifiedTests=false \
  -Dreckon.bench.questions="${QUESTIONS:-2000}" -Dreckon.bench.paced="${PACED:-100}" \
  -Dreckon.bench.rate="${RATE:-10}" -Dreckon.bench.strategy="${STRATEGY:-beam:m=4}" \
  -Dreckon.bench.budget="${BUDGET:-16}" | grep -E "machine:|records/s|Tests run:|FAIL"
