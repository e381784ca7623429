#!/usr/bin/env bash
# Installs the simulated Kubernetes cluster's binaries (etcd 3.6, kube-apiserver,
# kube-controller-manager, kube-scheduler and kubectl v1.34, kwok v0.7) into
# ${XDG_CACHE_HOME:-~/.cache}/capsule/testenv/<version>/bin, building them from
# the Go module proxy in throwaway modules outside this repository.
# Idempotent: a warm cache builds nothing and returns in about a second.
# The cold build takes roughly 15 minutes on two cores and prints progress.
set -euo pipefail
cd "$(dirname "$0")/.."
go run ./internal/testenv/cmd/testenv-install "$@"
