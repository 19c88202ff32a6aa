#!/usr/bin/env bash
# Reproduces the numbers in README.md: ROUNDS (default 6) rounds of every
# benchmark from one test binary, appended to one file, so each round runs
# floor, raw, client-go and glrunners back to back (the same samples as
# `go test -bench . -count 6 -run '^$'`, interleaved instead of grouped).
# Then benchstat, and the target table of cmd/targets.
#
#   ./run.sh [OUTPUT]          default OUTPUT: results/latest.txt
#   ROUNDS=1 BENCH=Walk10k ./run.sh /tmp/quick.txt
set -euo pipefail
cd "$(dirname "$0")"

out=${1:-results/latest.txt}
rounds=${ROUNDS:-6}
pattern=${BENCH:-.}
benchstat_version=v0.0.0-20260908200009-22c9c6c9d4da # golang.org/x/perf

mkdir -p "$(dirname "$out")"
: >"$out"
bin=$(mktemp -d)/bench.test
trap 'rm -rf "$(dirname "$bin")"' EXIT
go test -c -o "$bin" .
{ git -C .. log -1 --format='# glrunners %h %s' 2>/dev/null || true; } >>"$out"
for i in $(seq "$rounds"); do
	echo "== round $i/$rounds" >&2
	"$bin" -test.run '^$' -test.bench "$pattern" -test.count 1 | tee -a "$out"
done

benchstat="go run golang.org/x/perf/cmd/benchstat@$benchstat_version"
echo
echo "## benchstat: contenders side by side (delta vs clientgo)"
$benchstat -filter '.name:(Walk10k OR Get OR Gets1000)' -col '/impl@(clientgo glrunners raw floor)' "$out"
echo
echo "## benchstat: time as a multiple of client-go's, contenders interleaved op by op"
$benchstat -filter '.name:Ratio' "$out"
echo
echo "## benchstat: latency walk"
$benchstat -filter '.name:WalkLatency' -col /conc "$out"
echo
echo "## benchstat: heap, 10k vs 100k runners"
$benchstat -filter '.name:WalkHeap' -col /fleet "$out"
echo
echo "## targets (ratios within each round)"
go run ./cmd/targets "$out"
