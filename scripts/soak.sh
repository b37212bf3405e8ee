#!/usr/bin/env bash
# Soak run (not part of CI): mixed traffic on a queue, a pipe and a shared-memory region between
# two JVMs, sampling open file descriptors, threads and RSS of both; prints a Markdown table and
# whether they stayed flat. See docs/reliability.md.
#
#   scripts/soak.sh [minutes=10] [sample-seconds=60] [report-file]
#   scripts/soak.sh 2 20 /tmp/soak.md      # a short check that the script works
set -euo pipefail
minutes="${1:-10}"
sample="${2:-60}"
report="${3:-}"
cd "$(dirname "$0")/.."
module=ipc-spring-boot-autoconfigure
mvn -o -q -B -pl "$module" test-compile dependency:build-classpath \
    -Dmdep.outputFile=target/soak.classpath -Dmdep.includeScope=test
cp="$module/target/test-classes:$module/target/classes:$(cat "$module/target/soak.classpath")"
exec java -Xmx256m -cp "$cp" io.github.springipc.reliability.SoakMain "$minutes" "$sample" $report
