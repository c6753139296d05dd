#!/usr/bin/env bash
# Runs Tutor: the Aspire AppHost with its dashboard, Redis, the gateway, the workers and the device simulator.
set -euo pipefail
cd "$(dirname "$0")"
TUTOR_SKIP_BROWSER=1 scripts/prerequisites.sh
echo "Starting Tutor. Dashboard: http://localhost:15080 — device socket: ws://localhost:5080/ws/{user_id}"
echo "To talk to it: the device resource's buttons on the dashboard (Say hello, Answer right, ...), or run: dotnet run --project Tutor.Device"
exec dotnet run --project Tutor.AppHost --launch-profile http "$@"
