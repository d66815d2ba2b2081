#!/usr/bin/env bash
# BGP ingest benchmark: a feeder announces COUNT IPv4 /24s over one eBGP session (AS 65001 ->
# AS 65002) and we time from Established until the receiver holds them all, for Weft, BIRD 2,
# FRR bgpd and GoBGP as receivers, in the same run, same namespaces, RIB only (nothing goes to
# the kernel). Memory per route: Weft's heap used after a full GC (fixed 2 GB heap) minus before,
# the daemons' RSS growth, divided by COUNT.
#   integration-tests/bench/bgp-ingest.sh     (as root, from the repository root, after mvn install -DskipTests)
#   RUNS=3 (medians), COUNTS="100000 1000000"
# Feeder: integration-tests/bench/bgp_peer.py, raw sockets, every UPDATE encoded before the
# session opens (1,000 prefixes per 4 KB UPDATE), one sendall: it is not the bottleneck (it
# hands 1M prefixes to the kernel in a fraction of BIRD's time).
# Last line: bench bgp-ingest: ... ratio_100k=<the same at 100k> ratio=<Weft 1M time / fastest other
# receiver's 1M time> (ratio_100k only when COUNTS holds 100000 and a larger count).
# RECEIVERS (default "weft bird frr gobgp"): a subset. WEFT_CP: class path entries put first for
# Weft (an older build, for paired runs); DIAG=1: when Weft saw its first route, after Established.
set -euo pipefail
RUNS=${RUNS:-3}
COUNTS=${COUNTS:-"100000 1000000"}
source "$(dirname "$0")/bgp-common.sh"
lab_up

bgp_bird='protocol bgp feeder { local 10.0.0.2 as 65002; neighbor 10.0.0.1 as 65001; passive on; ipv4 { import all; export none; }; }'
bgp_frr='router bgp 65002
 bgp router-id 10.0.0.2
 no bgp ebgp-requires-policy
 no bgp default ipv4-unicast
 neighbor 10.0.0.1 remote-as 65001
 neighbor 10.0.0.1 passive
 address-family ipv4 unicast
  neighbor 10.0.0.1 activate
 exit-address-family'
bgp_gobgp='[global.config]
  as = 65002
  router-id = "10.0.0.2"
  local-address-list = ["10.0.0.2"]
[[neighbors]]
  [neighbors.config]
    neighbor-address = "10.0.0.1"
    peer-as = 65001
  [neighbors.transport.config]
    passive-mode = true'

# one measurement: receiver $1, COUNT $2; prints "seconds bytes_per_route"
measure() {
  local name=$1 count=$2 t0 t1 per
  : > "$work/feed.out"
  if [ "$name" = weft ]; then
    : > "$work/weft.out"
    ip netns exec "$RECV" java ${WEFT_JOPTS:-} -Xms2g -Xmx2g -XX:+UseParallelGC -cp "${WEFT_CP:+$WEFT_CP:}$CP" \
        "$root/integration-tests/bench/BgpBench.java" ingest 10.0.0.2 10.0.0.1 65001 65002 "$count" \
        > "$work/weft.out" 2> "$work/weft.err" &
    pids+=($!)
    await_line "$work/weft.out" ready
  else
    "start_$name" "$(eval echo "\"\$bgp_$name\"")"
    local rss0; rss0=$(rss_kb "$(pid_$name)")
  fi
  ip netns exec "$FEED" $PEER feed 10.0.0.1 10.0.0.2 65001 65002 "$count" > "$work/feed.out" 2>&1 &
  pids+=($!)
  t0=$(await_field "$work/feed.out" established)
  if [ "$name" = weft ]; then
    t1=$(await_field "$work/weft.out" done)
    [ -z "${DIAG:-}" ] || printf 'weft: Established on its side %+.3f s, first route %.3f s after Established, all %.3f s after the first\n' \
        "$(echo "$(await_field "$work/weft.out" established) - $t0" | bc -l)" \
        "$(echo "$(await_field "$work/weft.out" first) - $t0" | bc -l)" "$(echo "$t1 - $(await_field "$work/weft.out" first)" | bc -l)" >&2
    per=$(await_field "$work/weft.out" heap_per_route)
  else
    local interval=0.01; [ "$name" = gobgp ] && interval=0.1
    t1=$(await_count "$name" "$count" "$interval")
    local rss1; rss1=$(rss_kb "$(pid_$name)")
    per=$(echo "($rss1 - $rss0) * 1024 / $count" | bc -l)
  fi
  stop_all
  echo "$(echo "$t1 - $t0" | bc -l) $per"
}

summary=()
declare -A best
for count in $COUNTS; do
  k=$((count / 1000))k
  for name in ${RECEIVERS:-weft bird frr gobgp}; do
    ts=(); ms=()
    for run in $(seq 1 "$RUNS"); do
      read -r t m < <(measure "$name" "$count")
      ts+=("$t"); ms+=("$m")
    done
    mt=$(printf '%s\n' "${ts[@]}" | median); mm=$(printf '%s\n' "${ms[@]}" | median)
    printf '%-6s %8d prefixes: %.3f s, %.0f bytes/route\n' "$name" "$count" "$mt" "$mm" >&2
    summary+=("${name}_${k}_s=$(printf %.3f "$mt")")
    # memory only at the largest table: at 100k fixed costs (JIT, buffers, GC noise) swamp it
    [ "$count" = "${COUNTS##* }" ] && summary+=("${name}_${k}_bytes_per_route=$(printf %.0f "$mm")")
    best[$name,$count]=$mt
  done
done
# Weft's time over the fastest other receiver's at COUNT $1 (0 when either is missing)
ratio_at() {
  local fastest
  fastest=$(for r in bird frr gobgp; do if [ -n "${best[$r,$1]:-}" ]; then echo "${best[$r,$1]}"; fi; done | sort -g | head -1)
  if [ -n "$fastest" ] && [ -n "${best[weft,$1]:-}" ]; then echo "${best[weft,$1]} / $fastest" | bc -l; else echo 0; fi
}
last=$(echo "$COUNTS" | awk '{print $NF}')
extra=""
[ "$last" = 100000 ] || [[ " $COUNTS " != *" 100000 "* ]] || extra="ratio_100k=$(printf %.2f "$(ratio_at 100000)") "
printf 'bench bgp-ingest: runs=%d %s %sratio=%.2f\n' "$RUNS" "${summary[*]}" "$extra" "$(ratio_at "$last")"
