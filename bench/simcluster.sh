#!/usr/bin/env bash
# Scale benchmark of the simulated cluster (`capsule dev cluster`). Not part
# of CI: the big scenarios take many minutes. Prints one line per figure with
# the load average, since a shared machine makes every figure noisy.
#
#   bench/simcluster.sh warm    3 nodes (the default): `up` time, warm
#   bench/simcluster.sh 5k      50 nodes, one Deployment of 5,000 replicas:
#                               time to all Ready, then a hold (HOLD seconds,
#                               default 600) checking all stay Ready and no
#                               NodeNotReady event appears
#   bench/simcluster.sh 10k     200 nodes, 10,000 pods in 500 Deployments over
#                               50 namespaces: time to all Ready and the
#                               cluster's peak resident memory
#   bench/simcluster.sh all     all three
#
# Needs the cached binaries (`make testenv`) and jq. The cluster runs in a
# temporary directory and is stopped at the end.
set -euo pipefail
cd "$(dirname "$0")/.."

HOLD=${HOLD:-600}
work=$(mktemp -d)
dir=$work/cluster
trap 'bin/capsule-bench dev cluster down --dir "$dir" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
mkdir -p bin
go build -o bin/capsule-bench ./cmd/capsule
capsule() { bin/capsule-bench "$@"; }
KUBECTL=$(go run ./internal/testenv/cmd/testenv-install)/kubectl
kubectl() { "$KUBECTL" --kubeconfig "$dir/admin.kubeconfig" "$@"; }

load() { cut -d' ' -f1-3 /proc/loadavg; }
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }
mib() { echo $(( $1 / 1048576 )); }
report() { printf 'simcluster: %-58s (load %s)\n' "$*" "$(load)"; }

up() {
  local t0; t0=$(now)
  capsule dev cluster up --dir "$dir" "$@" >/dev/null 2>"$work/up.log" || { cat "$work/up.log"; exit 1; }
  report "up $* in $(since "$t0") s, $(mib "$(rss)") MiB resident"
}
down() { capsule dev cluster down --dir "$dir" >/dev/null; }

notready_events() { kubectl get events -A --field-selector reason=NodeNotReady --no-headers 2>/dev/null | wc -l; }

# rss: resident bytes of the cluster's processes, from the pids in its state
# file (cheaper than `status`, which lists every pod).
rss() {
  local total=0 pid kb
  for pid in $(jq -r '.pids[]' "$dir/state.json"); do
    kb=$(awk '/^VmRSS:/ { print $2 }' "/proc/$pid/status" 2>/dev/null || echo 0)
    total=$(( total + ${kb:-0} * 1024 ))
  done
  echo "$total"
}

# ready_replicas: Ready replicas summed over every Deployment (500 objects to
# read, not 10,000 pods, so polling does not load the API server).
ready_replicas() {
  kubectl get deployments -A -o jsonpath='{range .items[*]}{.status.readyReplicas}{"\n"}{end}' | awk '{ s += $1 } END { print s + 0 }'
}

# wait_ready N TIMEOUT: waits until N replicas are Ready; prints the peak memory.
wait_ready() {
  local want=$1 timeout=$2 t0 peak=0 ready mem
  t0=$(now)
  while :; do
    ready=$(ready_replicas)
    mem=$(rss)
    (( mem > peak )) && peak=$mem
    if (( ready >= want )); then break; fi
    if awk -v e="$(since "$t0")" -v t="$timeout" 'BEGIN { exit !(e > t) }'; then
      report "TIMEOUT: $ready of $want replicas Ready after $timeout s"
      return 1
    fi
    sleep 2
  done
  report "$want replicas Ready in $(since "$t0") s; peak $(mib "$peak") MiB resident"
}

warm() {
  up --nodes 3
  down
  up --nodes 3
  down
}

five_k() {
  up --nodes 50
  local t0; t0=$(now)
  kubectl create deployment big --image=nginx:1.27 --replicas=5000 >/dev/null
  wait_ready 5000 600
  report "5000 replicas: Ready $(since "$t0") s after creation"
  local end=$(( $(date +%s) + HOLD )) ready pods ev
  while (( $(date +%s) < end )); do
    sleep 30
    ready=$(ready_replicas)
    pods=$(kubectl get pods --no-headers | wc -l)
    ev=$(notready_events)
    if [[ $ready != 5000 || $pods != 5000 || $ev != 0 ]]; then
      report "HOLD FAILED: ready $ready, pods $pods, NodeNotReady events $ev"
      return 1
    fi
  done
  report "held 5000 Ready for $HOLD s: 0 NodeNotReady events, $(mib "$(rss)") MiB"
  capsule dev cluster status --dir "$dir"
  down
}

ten_k() {
  up --nodes 200
  # One file per namespace, created by 10 kubectl processes at once: one
  # kubectl applying 550 objects one after another took longer than the
  # cluster took to make 10,000 pods Ready, so it measured kubectl.
  local f ns d
  for ns in $(seq 1 50); do
    f=$work/10k-team-$ns.yaml
    printf 'apiVersion: v1\nkind: Namespace\nmetadata: {name: team-%d}\n' "$ns" >"$work/ns-$ns.yaml"
    : >"$f"
    for d in $(seq 1 10); do
      cat >>"$f" <<YAML
apiVersion: apps/v1
kind: Deployment
metadata: {name: svc-$d, namespace: team-$ns}
spec:
  replicas: 20
  selector: {matchLabels: {app: svc-$d}}
  template:
    metadata: {labels: {app: svc-$d}}
    spec:
      containers:
      - name: app
        image: example/svc-$d:v1
        resources: {requests: {cpu: 10m, memory: 32Mi}}
---
YAML
    done
  done
  local t0; t0=$(now)
  ls "$work"/ns-*.yaml | xargs -P 10 -n 1 kubectl create -f >/dev/null
  ls "$work"/10k-team-*.yaml | xargs -P 10 -n 1 kubectl create -f >/dev/null
  wait_ready 10000 900
  report "10000 pods in 500 Deployments: Ready $(since "$t0") s after creation started"
  report "NodeNotReady events: $(notready_events)"
  capsule dev cluster status --dir "$dir"
  down
}

case ${1:-all} in
  warm) warm ;;
  5k) five_k ;;
  10k) ten_k ;;
  all) warm; five_k; ten_k ;;
  *) echo "usage: $0 warm|5k|10k|all" >&2; exit 2 ;;
esac
