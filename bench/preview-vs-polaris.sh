#!/usr/bin/env bash
# Times `capsule preview` of two 200-object environments against Polaris
# auditing one of them, both as whole processes in the same run, with
# `capsule version` and a hello-world Go program as the start-up floor.
#
#   bash bench/preview-vs-polaris.sh [RUNS]      (default 9 runs, medians)
#
# POLARIS=/path/to/polaris uses that binary; otherwise Polaris is built with
# `go install` from the Go module proxy (the newest version it lists). When
# neither works the Polaris rows say so and the other rows are still timed.
# Needs /usr/bin/time (GNU time) for CPU and peak memory.
set -euo pipefail

runs=${1:-9}
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/bin" "$work/res"

(cd "$root" && go build -o "$work/bin/capsule" ./cmd/capsule && go run ./bench/envgen -n 200 -out "$work/env")

mkdir -p "$work/hello" && cat >"$work/hello/main.go" <<'GO'
package main

import "fmt"

func main() { fmt.Println("hello") }
GO
(cd "$work/hello" && go mod init hello >/dev/null 2>&1 && go build -o "$work/bin/hello" .)

polaris=${POLARIS:-}
if [[ -z $polaris ]]; then
	mod=github.com/fairwindsops/polaris
	ver=$(cd "$work/hello" && go list -m -versions "$mod" 2>/dev/null | awk '{print $NF}') || true
	if [[ -n ${ver:-} && $ver != "$mod" ]] && (cd "$work/hello" && GOBIN="$work/bin" go install "$mod@$ver") >"$work/polaris-install.log" 2>&1; then
		polaris=$work/bin/polaris
	else
		echo "Polaris: the Go module proxy did not serve $mod (set POLARIS=/path/to/polaris):" >&2
		(cd "$work/hello" && go list -m -versions "$mod" 2>&1 | head -3) >&2 || true
	fi
fi

# measure NAME CMD...: one run; appends "wall_ms cpu_ms peak_kib" to $work/res/NAME.
measure() {
	local name=$1
	shift
	local t0 t1
	t0=$(date +%s%N)
	/usr/bin/time -o "$work/time.out" -f '%U %S %M' "$@" >/dev/null 2>"$work/res/$name.err" || {
		echo "$name failed:" >&2
		cat "$work/res/$name.err" >&2
		exit 1
	}
	t1=$(date +%s%N)
	read -r u s m <"$work/time.out"
	awk -v w=$(((t1 - t0) / 1000)) -v u="$u" -v s="$s" -v m="$m" \
		'BEGIN { printf "%.1f %.0f %d\n", w / 1000, (u + s) * 1000, m }' >>"$work/res/$name"
}

env=$work/env
commands=(hello version preview)
run_hello() { measure hello "$work/bin/hello"; }
run_version() { measure version "$work/bin/capsule" version; }
run_preview() { measure preview "$work/bin/capsule" preview --from "$env/current" --to "$env/proposed" -o json; }
if [[ -n $polaris ]]; then
	commands+=(polaris)
	run_polaris() { measure polaris "$polaris" audit --audit-path "$env/current" --format json; }
fi

# One warm-up of each, then the commands in turn so that drift in the
# machine's speed falls on all of them alike.
for c in "${commands[@]}"; do "run_$c"; : >"$work/res/$c"; done
for ((i = 0; i < runs; i++)); do
	for c in "${commands[@]}"; do "run_$c"; done
done

median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
printf '%-8s %12s %12s %14s   (medians of %d runs, load %s)\n' command wall_ms cpu_ms peak_MiB "$runs" "$(cut -d' ' -f1-3 /proc/loadavg)"
for c in "${commands[@]}"; do
	w=$(cut -d' ' -f1 "$work/res/$c" | median)
	u=$(cut -d' ' -f2 "$work/res/$c" | median)
	m=$(cut -d' ' -f3 "$work/res/$c" | median)
	printf '%-8s %12s %12s %14s\n' "$c" "$w" "$u" "$(awk -v m="$m" 'BEGIN { printf "%.1f", m / 1024 }')"
	eval "wall_$c=$w"
done
awk -v v="$wall_version" -v h="$wall_hello" 'BEGIN { printf "version / hello-world wall: %.2f\n", v / h }'
if [[ -n $polaris ]]; then
	awk -v p="$wall_preview" -v q="$wall_polaris" 'BEGIN { printf "preview / polaris wall: %.3f (goal <= 0.15)\n", p / q }'
else
	echo "preview / polaris wall: not measured (no Polaris binary)"
fi
