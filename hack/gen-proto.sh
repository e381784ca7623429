#!/usr/bin/env bash
# Regenerates the Go code of proto/ into internal/gen/ (committed, so building
# Capsule needs no protoc). Needs protoc on PATH (Debian: protobuf-compiler);
# the two plugins are built from the versions go.mod pins, so the generated
# code matches the runtime libraries it is compiled against.
#   OUT=dir hack/gen-proto.sh   writes into dir instead (the freshness test)
set -euo pipefail
cd "$(dirname "$0")/.."
out="${OUT:-internal/gen}"
bin="$(mktemp -d)"
trap 'rm -rf "$bin"' EXIT
go build -o "$bin/protoc-gen-go" google.golang.org/protobuf/cmd/protoc-gen-go
go build -o "$bin/protoc-gen-connect-go" connectrpc.com/connect/cmd/protoc-gen-connect-go
mkdir -p "$out"
mod=github.com/usecapsule/capsule/internal/gen
PATH="$bin:$PATH" protoc -I proto \
	--go_out="$out" --go_opt=module="$mod" \
	--connect-go_out="$out" --connect-go_opt=module="$mod" \
	$(cd proto && find . -name '*.proto' | sort | sed 's|^\./||')
