#!/usr/bin/env bash
# Runs every Tutor test: the front end's unit tests (node), then unit, integration, browser and end-to-end tests
# (dotnet, with a real redis-server, ffmpeg, flite, espeak-ng, pocketsphinx and Chromium).
# Extra arguments go to 'dotnet test', e.g. ./test.sh --filter "FullyQualifiedName~Gateway".
set -euo pipefail
cd "$(dirname "$0")"
scripts/prerequisites.sh
log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0
(cd Tutor.Gateway/web && { [ -d node_modules ] || npm ci --no-audit --no-fund --silent; } && node --test tests/) 2>&1 | tee "$log" || status=$?
dotnet test Tutor.sln "$@" 2>&1 | tee -a "$log" || status=$?
# One closing line for all of it: 'N passed, N failed, N skipped'.
awk '/(Passed|Failed)! +- +Failed:/ {
       for (i = 1; i <= NF; i++) { gsub(",", "", $(i+1)); if ($i == "Failed:") f += $(i+1); if ($i == "Passed:") p += $(i+1); if ($i == "Skipped:") s += $(i+1) }
     }
     /^# pass / { p += $3 } /^# fail / { f += $3 } /^# skipped / { s += $3 }
     END { printf "tests: %d passed, %d failed, %d skipped\n", p, f, s }' "$log"
exit $status
