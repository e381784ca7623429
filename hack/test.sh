#!/usr/bin/env bash
# The whole test suite: go.mod tidy, vet, staticcheck, unit and integration tests (SQLite, a real
# PostgreSQL server, a real kube-apiserver), and every benchmark once so none
# rots. Benchmark output is shown only when a benchmark fails.
#
# Fuzz targets run here over their seeds and every input committed under
# testdata/fuzz (go test does that), which is deterministic. Exploring new
# inputs is random, so it is `make fuzz` (hack/fuzz.sh): a crash it finds is
# fixed and its input committed as a seed, and from then on CI runs it.
set -euo pipefail
cd "$(dirname "$0")/.."
echo "== go mod tidy (no change)"
go mod tidy -diff
echo "== go vet"
go vet ./...
echo "== staticcheck"
"$(go env GOPATH)/bin/staticcheck" ./...
echo "== go test"
go test -count=1 -timeout 60m ./...
echo "== benchmarks (one iteration each)"
log=$(mktemp)
trap 'rm -f "$log"' EXIT
if ! go test -count=1 -run '^$' -bench . -benchtime 1x ./... >"$log" 2>&1; then
  grep -v '^\(goos\|goarch\|pkg\|cpu\):' "$log" | tail -60
  echo "benchmarks failed"
  exit 1
fi
echo "benchmarks: ok"
