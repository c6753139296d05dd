#!/usr/bin/env bash
# Runs every Tutor test (unit, integration and end-to-end through the AppHost) with a real redis-server and ffmpeg.
# Extra arguments go to 'dotnet test', e.g. ./test.sh --filter "FullyQualifiedName~Gateway".
set -euo pipefail
cd "$(dirname "$0")"
scripts/prerequisites.sh
log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0
dotnet test Tutor.sln "$@" 2>&1 | tee "$log" || status=$?
# One closing line for all test assemblies: 'N passed, N failed, N skipped'.
awk '/(Passed|Failed)! +- +Failed:/ {
       for (i = 1; i <= NF; i++) { gsub(",", "", $(i+1)); if ($i == "Failed:") f += $(i+1); if ($i == "Passed:") p += $(i+1); if ($i == "Skipped:") s += $(i+1) }
     }
     END { printf "tests: %d passed, %d failed, %d skipped\n", p, f, s }' "$log"
exit $status
