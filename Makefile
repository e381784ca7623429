# Capsule's two set-up commands are `make run` and `make test`; each installs
# what it needs (hack/deps.sh) on a fresh Debian machine.
GO       ?= go
VERSION  ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
COMMIT   ?= $(shell git rev-parse --short HEAD 2>/dev/null || echo unknown)
LDFLAGS  := -X github.com/usecapsule/capsule/internal/cli.version=$(VERSION) -X github.com/usecapsule/capsule/internal/cli.commit=$(COMMIT)

.PHONY: build run test deps testenv bench fuzz vet fmt proto

build:
	$(GO) build -ldflags "$(LDFLAGS)" -o bin/capsule ./cmd/capsule

## run: the control plane on the embedded default (SQLite in ./capsule-data).
run: build
	./bin/capsule server --data-dir ./capsule-data

## test: the whole suite, against SQLite, a real PostgreSQL and a real kube-apiserver.
test: deps testenv
	bash hack/test.sh

deps:
	bash hack/deps.sh

testenv:
	bash hack/testenv.sh

bench:
	$(GO) test -run '^$$' -bench . -benchmem ./...

## fuzz: explore beyond the seeds, FUZZTIME per target (default 3000x); crashes land in testdata/fuzz.
fuzz:
	bash hack/fuzz.sh

vet:
	$(GO) vet ./...

fmt:
	gofmt -w $$(git ls-files '*.go')

## proto: regenerate internal/gen from proto/ (needs protoc: apt-get install protobuf-compiler).
proto:
	bash hack/gen-proto.sh
