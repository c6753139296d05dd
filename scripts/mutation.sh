#!/usr/bin/env bash
# Mutation testing of the code that guards children and turns (README, "Tests that bite"): dotnet-stryker mutates the
# parents' token checks and the children's route filter (gateway), the parents', children's, pairing and device routes
# (routes), the workers' queue, intake, running turns, a turn's own steps and the child's turn lock (workers-*), the
# reply relay's session check and the Redis failure rule (contracts) and the parents' transcript hub (realtime), and
# runs the tests that cover each mutant. Not part of ./test.sh: on 2 cores it takes a long while. Each run is a config
# in scripts/mutation/ (the files it mutates, the tests it runs); writes results/mutation/<run>/reports/ and
# results/mutation/summary.{md,json} over every run found there.
#   scripts/mutation.sh                        every run (gateway, routes, workers-queue, workers-intake,
#                                              workers-runner, workers-processor, workers-child-lock, contracts,
#                                              realtime)
#   scripts/mutation.sh routes workers-queue   some of them
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/prerequisites.sh
dotnet tool restore
out=results/mutation
mkdir -p "$out"
runs=("${@:-gateway routes workers-queue workers-intake workers-runner workers-processor workers-child-lock contracts realtime}")
for run in ${runs[*]}; do
    rm -rf "$out/$run"
    (cd Tutor.Tests && dotnet stryker --config-file "../scripts/mutation/$run.json" --output "../$out/$run")
done
# Stryker swaps mutated assemblies into the test project's output: build it afresh so ./test.sh tests the real code.
rm -rf Tutor.Tests/bin/Debug Tutor.Tests/obj/Debug
dotnet build Tutor.Tests --nologo -v quiet
dotnet run scripts/mutation/score.cs -- "$out" $(ls "$out"/*/reports/mutation-report.json)
