#!/usr/bin/env bash
# Regenerates the generated references, docs/cli.md (from the commands' picocli annotations) and
# docs/configuration.md (from config/*.conf and their comments), after a change to either.
# ReferenceDocsTest fails while they are stale. Builds the jar offline, then renders.
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -o -q -pl app -am -DskipTests package
java -cp app/target/reckon.jar io.reckon.app.ReferenceDocs "$(pwd)"
