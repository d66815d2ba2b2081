#!/usr/bin/env bash
# Veth benchmark: create COUNT veth pairs with pod-side setup (peer created in a pod namespace,
# /32 address, both ends up, host /32 route), then delete them; with Weft's netlink library and
# with one `ip` command per step (the baseline), same run. Median pairs/s over RUNS runs.
#   integration-tests/bench/netlink-veth.sh          (as root, from the repository root, after mvn install -DskipTests)
set -euo pipefail
RUNS=${RUNS:-3}
COUNT=${COUNT:-1000}
PODS=20
source "$(dirname "$0")/netlink-common.sh"

node=wbench-veth-$$
cleanup() {
  ip netns del "$node" 2>/dev/null || true
  for k in $(seq 0 $((PODS - 1))); do ip netns del "$node-pod$k" 2>/dev/null || true; done
}
trap cleanup EXIT
ip netns add "$node"
for k in $(seq 0 $((PODS - 1))); do ip netns add "$node-pod$k"; done

wc_=(); wd_=(); ic_=(); id_=()
for run in $(seq 1 "$RUNS"); do
  read -r _ c d < <(bench_java veth "$node" "$COUNT" "$PODS")
  wc_+=("$(echo "$COUNT / ${c#create_s=}" | bc -l)"); wd_+=("$(echo "$COUNT / ${d#delete_s=}" | bc -l)")

  t0=$(now)
  for i in $(seq 0 $((COUNT - 1))); do
    k=$((i % PODS)); ip4="10.200.$((i / 256)).$((i % 256))"
    ip -n "$node" link add "vb$i" mtu 1450 address ee:ee:ee:ee:ee:ee type veth peer name "e$i" netns "$node-pod$k"
    ip -n "$node-pod$k" addr add "$ip4/32" dev "e$i"
    ip -n "$node-pod$k" link set "e$i" up
    ip -n "$node" link set "vb$i" up
    ip -n "$node" route add "$ip4/32" dev "vb$i" proto 80
  done
  t1=$(now)
  for i in $(seq 0 $((COUNT - 1))); do ip -n "$node" link del "vb$i"; done
  t2=$(now)
  ic_+=("$(echo "$COUNT / ($t1 - $t0)" | bc -l)"); id_+=("$(echo "$COUNT / ($t2 - $t1)" | bc -l)")
  left=$(ip -n "$node" -o link show | grep -c ' vb' || true)
  [ "$left" = 0 ] || { echo "run left $left veths behind" >&2; exit 1; }
  printf 'run %d: weft create %.0f/s delete %.0f/s | ip create %.0f/s delete %.0f/s\n' "$run" \
    "${wc_[-1]}" "${wd_[-1]}" "${ic_[-1]}" "${id_[-1]}"
done
m_wc=$(printf '%s\n' "${wc_[@]}" | median); m_wd=$(printf '%s\n' "${wd_[@]}" | median)
m_ic=$(printf '%s\n' "${ic_[@]}" | median); m_id=$(printf '%s\n' "${id_[@]}" | median)
printf 'bench netlink-veth: runs=%d pairs=%d weft_create_per_s=%.0f weft_delete_per_s=%.0f ip_create_per_s=%.0f ip_delete_per_s=%.0f ratio=%.2f\n' \
  "$RUNS" "$COUNT" "$m_wc" "$m_wd" "$m_ic" "$m_id" "$(echo "$m_wc / $m_ic" | bc -l)"
