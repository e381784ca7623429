#!/usr/bin/env bash
# Runs every fuzz target briefly beyond its seed corpus, which `go test`
# already runs: FUZZTIME each, 3000 inputs by default (a count rather than a
# duration: on a loaded machine a short duration times the workers out). A failure leaves the crashing
# input under the package's testdata/fuzz/<Target>/ and fails the run, so
# it can be committed as a new seed. `make fuzz`; longer:
# FUZZTIME=30s bash hack/fuzz.sh. CI does not run it: random exploration
# would make CI's verdict depend on luck; the committed seeds it runs.
set -euo pipefail
cd "$(dirname "$0")/.."
fuzztime=${FUZZTIME:-3000x}
log=$(mktemp)
trap 'rm -f "$log"' EXIT
count=0
while read -r pkg; do
  for target in $(go test -list '^Fuzz' "$pkg" | grep '^Fuzz' || true); do
    go test -run '^$' -fuzz "^${target}\$" -fuzztime "$fuzztime" "$pkg" >"$log" 2>&1 || {
      tail -40 "$log"
      echo "fuzz: $pkg $target failed"
      exit 1
    }
    count=$((count + 1))
  done
done < <(grep -rl --include='*_test.go' '^func Fuzz' . | xargs -n1 dirname | sort -u | sed 's|^\.|github.com/usecapsule/capsule|')
echo "fuzz: $count targets, $fuzztime each: ok"
