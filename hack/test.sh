#!/usr/bin/env bash
# The whole test suite: vet, unit and integration tests (SQLite, PostgreSQL,
# kube-apiserver), and every benchmark once so none rots.
set -euo pipefail
cd "$(dirname "$0")/.."
echo "== go vet"
go vet ./...
echo "== go test"
go test -count=1 -timeout 60m ./...
echo "== benchmarks (one iteration each)"
go test -count=1 -run '^$' -bench . -benchtime 1x ./... >/dev/null
