#!/usr/bin/env bash
# Lab node start benchmark: how long a weft-lab node takes from launch to ready, and its memory.
#
#   lab node:  `weft-lab up` of a one-node lab (runtime/lab/examples/single-node.yaml renamed);
#              ready = the node runtime (weft-node-etcd.jar: etcd datastore, agent, encapsulation
#              providers, CNI) has opened its CNI and admin sockets, as `up` reports it ("ready in
#              X s", measured from the launch of `ip netns exec … java`). RSS = VmRSS 3 s after up.
#   seeds:     `weft-lab up` of the seeds' 4-node lab (four runtimes starting at once on this
#              machine's cores): the slowest node's ready time, and the whole `up` (etcd, pools,
#              router, nodes, five pods through the shim).
#   baseline:  the lean runtime weft-node.jar (embedded datastore, no agent) started the same way in
#              a network namespace, same JVM flags, until the same two sockets exist.
#
# Run as root from the repository root after `mvn install -DskipTests`:
#   integration-tests/bench/lab-node-start.sh          (RUNS=5, SEEDS_RUNS=3)
# Last line: bench lab-node-start: … ratio=<lab node ready / lean runtime ready>. Medians.
set -euo pipefail
RUNS=${RUNS:-5}
SEEDS_RUNS=${SEEDS_RUNS:-3}
root=$(pwd)
lab_jar="$root/runtime/lab/target/weft-lab.jar"
lean_jar="$root/runtime/target/weft-node.jar"
[ -f "$lab_jar" ] && [ -f "$lean_jar" ] && [ -f "$root/runtime/target/weft-node-etcd.jar" ] \
  || { echo "build first: mvn install -DskipTests (from the repository root)" >&2; exit 1; }
[ "$(id -u)" = 0 ] || { echo "run as root: the lab builds network namespaces" >&2; exit 1; }
source "$root/integration-tests/bench/lib.sh"

work=$(mktemp -d /tmp/weft-bench-lab.XXXXXX)
export WEFT_LAB_DIR="$work/labs"
lean_pid=
lean_ns="wbench-lean-$$"
cleanup() {
  [ -n "$lean_pid" ] && kill -9 "$lean_pid" 2>/dev/null || true
  ip netns delete "$lean_ns" 2>/dev/null || true
  for lab in $(ls "$WEFT_LAB_DIR" 2>/dev/null); do java -jar "$lab_jar" down "$lab" >/dev/null 2>&1 || true; done
  rm -rf "$work"
}
trap cleanup EXIT
weft_lab() { java -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -jar "$lab_jar" "$@"; }

# --- lab node, one-node lab
sed 's/^name: single$/name: wbench/' "$root/runtime/lab/examples/single-node.yaml" > "$work/single.yaml"
single_ready=(); single_rss=()
for i in $(seq 1 "$RUNS"); do
  out=$(weft_lab up "$work/single.yaml")
  single_ready+=("$(sed -n 's/.*runtime pid [0-9]* ready in \([0-9.]*\) s.*/\1/p' <<<"$out")")
  pid=$(sed -n 's/.*runtime pid \([0-9]*\) ready.*/\1/p' <<<"$out")
  sleep 3
  single_rss+=("$(awk '/VmRSS/ {printf "%.0f", $2/1024}' "/proc/$pid/status")")
  weft_lab down wbench >/dev/null
done
lab_ready=$(printf '%s\n' "${single_ready[@]}" | median)
lab_rss=$(printf '%s\n' "${single_rss[@]}" | median)

# --- the seeds' four nodes
sed 's/^name: seeds$/name: wbseeds/' "$root/runtime/lab/examples/seeds-4-node.yaml" > "$work/seeds.yaml"
seeds_ready=(); seeds_up=()
for i in $(seq 1 "$SEEDS_RUNS"); do
  out=$(weft_lab up "$work/seeds.yaml")
  seeds_ready+=("$(sed -n 's/.*runtime pid [0-9]* ready in \([0-9.]*\) s.*/\1/p' <<<"$out" | sort -n | tail -1)")
  seeds_up+=("$(sed -n 's/^lab wbseeds is up in \([0-9.]*\) s.*/\1/p' <<<"$out")")
  weft_lab down wbseeds >/dev/null
done
seeds_node=$(printf '%s\n' "${seeds_ready[@]}" | median)
seeds_total=$(printf '%s\n' "${seeds_up[@]}" | median)

# --- baseline: the lean runtime on its embedded datastore, same flags, same readiness
ip netns add "$lean_ns"
ip -n "$lean_ns" link set lo up
lean_ready=()
for i in $(seq 1 "$RUNS"); do
  d="$work/lean$i"; mkdir -p "$d/etc"
  cp "$root"/runtime/etc/*.cfg "$d/etc/"
  printf 'socketPath = %s/cni.sock\n' "$d" > "$d/etc/io.weft.cni.cfg"
  printf 'path = %s/admin.sock\n' "$d" > "$d/etc/io.weft.admin.cfg"
  start=$(now)
  (cd "$d" && NODENAME=lean exec ip netns exec "$lean_ns" java -Xmx192m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 \
      -Xshare:auto -Dlaunch.storage.dir="$d/data/framework" -jar "$lean_jar" >"$d/runtime.log" 2>&1) &
  lean_pid=$!
  for _ in $(seq 1 600); do [ -S "$d/cni.sock" ] && [ -S "$d/admin.sock" ] && break; sleep 0.01; done
  [ -S "$d/cni.sock" ] || { echo "lean runtime did not open its sockets:"; tail "$d/runtime.log"; exit 1; } >&2
  lean_ready+=("$(echo "$(now) - $start" | bc -l)")
  kill "$lean_pid"; wait "$lean_pid" 2>/dev/null || true; lean_pid=
done
lean=$(printf '%s\n' "${lean_ready[@]}" | median)

echo "lab node ready (1-node lab): ${single_ready[*]} s; RSS ${single_rss[*]} MB"
echo "seeds 4-node lab: slowest node ready ${seeds_ready[*]} s; whole up ${seeds_up[*]} s"
echo "lean runtime (embedded datastore) ready: ${lean_ready[*]} s"
printf 'bench lab-node-start: runs=%s lab_node_ready_s=%.2f lab_node_rss_mb=%.0f seeds_slowest_node_ready_s=%.2f seeds_up_s=%.2f lean_ready_s=%.2f ratio=%.2f\n' \
  "$RUNS" "$lab_ready" "$lab_rss" "$seeds_node" "$seeds_total" "$lean" "$(echo "$lab_ready / $lean" | bc -l)"
