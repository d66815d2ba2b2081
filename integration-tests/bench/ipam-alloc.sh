#!/usr/bin/env bash
# IPAM benchmark: pod-start address allocation by the block IPAM (io.weft.ipam.block), on the
# embedded store (production setting: fsync on, group commit) and on a throwaway etcd on disk
# started here, beside the reference host-local CNI IPAM plugin, all in one run.
#   integration-tests/bench/ipam-alloc.sh      (from the repository root, after mvn install -DskipTests)
#   RUNS=3 (medians), ALLOCS=1000 measured allocations per node and phase.
# Needs: java, mvn, etcd (Debian etcd-server), curl, /usr/lib/cni/host-local (Debian
# containernetworking-plugins; installed with apt-get when missing and run as root).
#
# Weft (IpamBench.java): one IPv4 address per request, each pod its own handle, IPPool
# 10.0.0.0/8 in /26 blocks. Each node keeps 100 pods and in rounds starts 50 (timed) and stops
# its 50 oldest (not timed), so its blocks stay as full as a busy node's. Figures: allocations/s
# and p99 latency for 1 node, and for 4 nodes allocating concurrently (one thread and one
# BlockIpam per node, as one agent per node); new-block latency = first allocation of a fresh
# node, which claims a block (median of 20 nodes). Every phase ends with ipam check clean and no
# address handed out twice. Warm-up first, not measured (JIT, connections, the node's blocks):
# 60 rounds on the embedded store, 10 on etcd (whose figures are bound by round trips).
#
# Baseline: host-local driven with CNI_COMMAND=ADD, ALLOCS times, data dir in a temp folder.
# host-local is a per-node, file-based allocator without a datastore: no cluster-wide
# consistency, no compare-and-swap, no network round trip, so it is a lower bound on what
# allocation must cost. It does pay a process start per request, as every CNI IPAM plugin does.
#
# Last line: bench ipam-alloc: … ratio=<embedded_1node_per_s / 2000> (goal: 2,000/s).
# embedded_1node_round_median_per_s (diagnosis, not the goal): the rate of the median round of
# 50 allocations, which a few allocations stalled by other work on the machine do not move.
# fsync_ms is the disk's O_DSYNC latency for 1 KiB appended to a growing file, measured in each
# run; fsync_prealloc_ms the same for 1 KiB written over a file's existing (zeroed) blocks, which
# needs no inode update: the embedded journal keeps zeros written ahead of its records, so a
# single embedded node waits for one such flush per pod start and its rate cannot exceed
# 1000/fsync_prealloc_ms on a given disk.
# embedded_p99_ms and etcd_p99_ms are the 4-node phase's; new_block_ms is etcd's (the cluster
# case), embedded_new_block_ms the embedded store's. Medians of RUNS runs.
set -euo pipefail
RUNS=${RUNS:-3}
ALLOCS=${ALLOCS:-1000}
root=$(pwd)
jar=bundles/io.weft.ipam.block/target/io.weft.ipam.block-0.1.0-SNAPSHOT.jar
[ -f "$root/$jar" ] || { echo "build first: mvn install -DskipTests (from the repository root)" >&2; exit 1; }
command -v etcd >/dev/null || { echo "etcd is not installed (Debian package etcd-server)" >&2; exit 1; }
hostlocal=/usr/lib/cni/host-local
if [ ! -x "$hostlocal" ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "installing containernetworking-plugins for the host-local baseline" >&2
    { apt-get update -qq && apt-get install -y -qq containernetworking-plugins; } >&2
  fi
  [ -x "$hostlocal" ] || { echo "$hostlocal is missing: apt-get install containernetworking-plugins" >&2; exit 1; }
fi

source "$root/integration-tests/bench/lib.sh"
CP="$root/$jar:$(module_classpath "$root/bundles/io.weft.ipam.block")"
bench() { java -Dorg.slf4j.simpleLogger.defaultLogLevel=warn "$@"; }
driver="$root/integration-tests/bench/IpamBench.java"

work=$(mktemp -d /tmp/weft-bench-ipam.XXXXXX)
cleanup() { stop_etcd; rm -rf "$work"; }
trap cleanup EXIT
# the runs use copies of the jars: a build installing a snapshot into ~/.m2 meanwhile (other work
# on the machine) would otherwise replace a jar under a running driver (NoClassDefFoundError)
mkdir "$work/classpath"
copied=""; i=0
IFS=: read -ra entries <<< "$CP"
for entry in "${entries[@]}"; do
  i=$((i + 1))
  if [ -f "$entry" ]; then cp "$entry" "$work/classpath/$i-$(basename "$entry")"; entry="$work/classpath/$i-$(basename "$entry")"; fi
  copied="${copied:+$copied:}$entry"
done
CP="$copied"
start_etcd

# host-local: ALLOCS sequential ADDs, one process each, as a container runtime calls it
hostlocal_add() {
  local dir="$work/hostlocal-$1" conf="$work/hostlocal-$1.json"
  printf '{"cniVersion":"0.4.0","name":"bench","type":"bridge","ipam":{"type":"host-local","ranges":[[{"subnet":"10.0.0.0/16"}]],"dataDir":"%s"}}' "$dir" > "$conf"
  local t0 t1; t0=$(date +%s.%N)
  for i in $(seq 1 "$ALLOCS"); do
    CNI_COMMAND=ADD CNI_CONTAINERID="bench-$i" CNI_NETNS=/var/run/netns/bench CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni \
      "$hostlocal" < "$conf" > /dev/null
  done
  t1=$(date +%s.%N)
  local n; n=$(find "$dir/bench" -name '10.*' | wc -l)
  [ "$n" = "$ALLOCS" ] || { echo "host-local holds $n addresses, expected $ALLOCS" >&2; exit 1; }
  echo "hostlocal per_s=$(echo "$ALLOCS / ($t1 - $t0)" | bc -l)"
}

# The disk's synchronous-write latency in this run (1 KiB, O_DSYNC, as a group-commit flush),
# appending to a new file, or (prealloc) over blocks already written, as the journal writes.
fsync_probe() {
  local t0 t1 conv=""
  if [ "${1:-}" = prealloc ]; then
    dd if=/dev/zero of="$work/fsync-probe" bs=1k count=200 conv=fsync 2>/dev/null
    conv="conv=notrunc"
  fi
  t0=$(now)
  dd if=/dev/zero of="$work/fsync-probe" bs=1k count=200 oflag=dsync $conv 2>/dev/null
  t1=$(now); rm -f "$work/fsync-probe"
  echo "($t1 - $t0) * 1000 / 200" | bc -l
}

declare -a e1 e4 ep ec t1 t4 tp tc hl e1p e1r fs fp
for run in $(seq 1 "$RUNS"); do
  fs+=("$(fsync_probe)"); fp+=("$(fsync_probe prealloc)")
  line=$(bench -DwarmupRounds=60 -cp "$CP" "$driver" embedded "$work/embedded-$run" "$ALLOCS")
  e1+=("$(echo "$line" | field one_node_per_s)"); e4+=("$(echo "$line" | field four_node_per_s)")
  e1p+=("$(echo "$line" | field one_node_p50_ms)"); e1r+=("$(echo "$line" | field one_node_round_median_per_s)")
  ep+=("$(echo "$line" | field four_node_p99_ms)"); ec+=("$(echo "$line" | field new_block_ms)")
  line=$(bench -DwarmupRounds=10 -cp "$CP" "$driver" etcd "$url" "$ALLOCS" "/bench-run-$run")
  t1+=("$(echo "$line" | field one_node_per_s)"); t4+=("$(echo "$line" | field four_node_per_s)")
  tp+=("$(echo "$line" | field four_node_p99_ms)"); tc+=("$(echo "$line" | field new_block_ms)")
  line=$(hostlocal_add "$run"); hl+=("$(echo "$line" | field per_s)")
  printf 'run %d: fsync %.2f ms, over written blocks %.2f ms | embedded 1 node %.0f/s p50 %.3f ms (median round %.0f/s), 4 nodes %.0f/s p99 %.2f ms, new block %.2f ms | etcd 1 node %.0f/s, 4 nodes %.0f/s p99 %.2f ms, new block %.2f ms | host-local %.0f/s\n' \
    "$run" "${fs[-1]}" "${fp[-1]}" "${e1[-1]}" "${e1p[-1]}" "${e1r[-1]}" "${e4[-1]}" "${ep[-1]}" "${ec[-1]}" "${t1[-1]}" "${t4[-1]}" "${tp[-1]}" "${tc[-1]}" "${hl[-1]}"
done
m() { printf '%s\n' "$@" | median; }
m_e1=$(m "${e1[@]}")
printf 'bench ipam-alloc: runs=%d fsync_ms=%.2f fsync_prealloc_ms=%.2f embedded_1node_per_s=%.0f embedded_1node_p50_ms=%.3f embedded_1node_round_median_per_s=%.0f embedded_4node_per_s=%.0f embedded_p99_ms=%.2f embedded_new_block_ms=%.2f etcd_1node_per_s=%.0f etcd_4node_per_s=%.0f etcd_p99_ms=%.2f new_block_ms=%.2f hostlocal_per_s=%.0f ratio=%.2f\n' \
  "$RUNS" "$(m "${fs[@]}")" "$(m "${fp[@]}")" "$m_e1" "$(m "${e1p[@]}")" "$(m "${e1r[@]}")" "$(m "${e4[@]}")" "$(m "${ep[@]}")" "$(m "${ec[@]}")" "$(m "${t1[@]}")" "$(m "${t4[@]}")" \
  "$(m "${tp[@]}")" "$(m "${tc[@]}")" "$(m "${hl[@]}")" "$(echo "$m_e1 / 2000" | bc -l)"
