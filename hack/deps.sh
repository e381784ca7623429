#!/usr/bin/env bash
# Installs the Debian packages the test suite needs when they are missing:
# PostgreSQL server binaries (the store tests start a real server), Chromium
# (the web UI's browser tests), protoc (the generated gRPC code is checked), and
# staticcheck (and terraform, when missing) from the Go module proxy.
set -euo pipefail
need=()
if ! command -v initdb >/dev/null 2>&1 && ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  need+=(postgresql)
fi
# Chromium runs the web UI's end-to-end tests (internal/web).
if [ ! -x /usr/bin/chromium ]; then
  need+=(chromium)
fi
# protoc checks that the committed gRPC code matches proto/ (internal/gen).
if ! command -v protoc >/dev/null 2>&1; then
  need+=(protobuf-compiler)
fi
if [ ${#need[@]} -gt 0 ]; then
  echo "deps: installing ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${need[@]}"
fi
# staticcheck at a pinned version, built into the Go bin directory.
staticcheck_version=v0.8.2
gobin="$(go env GOPATH)/bin"
if ! "$gobin/staticcheck" -version 2>/dev/null | grep -q "${staticcheck_version#v}"; then
  echo "deps: installing staticcheck $staticcheck_version"
  go install "honnef.co/go/tools/cmd/staticcheck@$staticcheck_version"
fi
# terraform checks the exported Terraform files (`terraform fmt`); machines
# of this kind have it, else it is built from the Go module proxy.
if ! command -v terraform >/dev/null 2>&1; then
  echo "deps: installing terraform v1.11.4"
  GOBIN=/usr/local/bin go install github.com/hashicorp/terraform@v1.11.4
fi
echo "deps: ok"
