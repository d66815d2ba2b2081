#!/usr/bin/env bash
# BGP route-reflection benchmark: one route-reflector client (the feeder) announces COUNT IPv4
# /24s over iBGP (AS 65000) and the reflector passes them to 10 other clients; we time from the
# feeder's Established until all 10 hold every prefix, with Weft, BIRD 2, FRR bgpd and GoBGP as
# the reflector, in the same run and namespaces, RIB only (nothing goes to the kernel).
#   integration-tests/bench/bgp-reflect.sh    (as root, from the repository root, after mvn install -DskipTests)
#   RUNS=3 (medians), COUNT=100000, REFLECTORS="weft bird frr gobgp"
# Feeder and clients: integration-tests/bench/bgp_peer.py (raw sockets; the feeder pre-encodes its
# UPDATEs; the 10 client sessions run in one process that only counts NLRI bytes), all connected
# and Established before the feeder starts.
# Last line: bench bgp-reflect: ... ratio=<Weft time / fastest other reflector's time>.
set -euo pipefail
RUNS=${RUNS:-3}
COUNT=${COUNT:-100000}
HOLD=240 # GoBGP as a sender needs a hold time; every reflector gets the same
source "$(dirname "$0")/bgp-common.sh"
lab_up
clients=$(seq -f '10.0.0.%g' 11 20 | tr '\n' ' ')

rr_bird() {
  local body="template bgp c { local 10.0.0.2 as 65000; passive on; rr client; rr cluster id 1.1.1.1; direct;
  ipv4 { import all; export where source = RTS_BGP; }; }
protocol bgp feeder from c { neighbor 10.0.0.1 as 65000; }"
  for i in $(seq 11 20); do body="$body
protocol bgp c$i from c { neighbor 10.0.0.$i as 65000; }"; done
  start_bird "$body"
}
rr_frr() {
  local body="router bgp 65000
 bgp router-id 10.0.0.2
 bgp cluster-id 1.1.1.1
 no bgp default ipv4-unicast
 neighbor C peer-group
 neighbor C remote-as 65000
 neighbor C passive"
  for a in 10.0.0.1 $clients; do body="$body
 neighbor $a peer-group C"; done
  body="$body
 address-family ipv4 unicast
  neighbor C activate
  neighbor C route-reflector-client
 exit-address-family"
  start_frr "$body"
}
rr_gobgp() {
  local body='[global.config]
  as = 65000
  router-id = "10.0.0.2"
  local-address-list = ["10.0.0.2"]'
  for a in 10.0.0.1 $clients; do body="$body
[[neighbors]]
  [neighbors.config]
    neighbor-address = \"$a\"
    peer-as = 65000
  [neighbors.transport.config]
    passive-mode = true
  [neighbors.route-reflector.config]
    route-reflector-client = true
    route-reflector-cluster-id = \"1.1.1.1\""; done
  start_gobgp "$body"
}
rr_weft() {
  : > "$work/weft.out"
  ip netns exec "$RECV" java -Xms1g -Xmx1g -XX:+UseParallelGC -cp "$CP" \
      "$root/integration-tests/bench/BgpBench.java" reflect 10.0.0.2 65000 1.1.1.1 10.0.0.1 $clients \
      > "$work/weft.out" 2> "$work/weft.err" &
  pids+=($!)
  await_line "$work/weft.out" ready
}

# one measurement with reflector $1; prints seconds
measure() {
  local name=$1 t0 t1
  "rr_$name"
  : > "$work/sink.out"; : > "$work/feed.out"
  ip netns exec "$FEED" $PEER sink 65000 10.0.0.2 "$COUNT" $clients > "$work/sink.out" 2>&1 &
  pids+=($!)
  await_line "$work/sink.out" ready
  ip netns exec "$FEED" $PEER feed 10.0.0.1 10.0.0.2 65000 65000 "$COUNT" > "$work/feed.out" 2>&1 &
  pids+=($!)
  t0=$(await_field "$work/feed.out" established)
  t1=$(await_field "$work/sink.out" done 900)
  stop_all
  echo "$t1 - $t0" | bc -l
}

summary=()
declare -A best
for name in ${REFLECTORS:-weft bird frr gobgp}; do
  ts=()
  for run in $(seq 1 "$RUNS"); do ts+=("$(measure "$name")"); done
  mt=$(printf '%s\n' "${ts[@]}" | median)
  printf '%-6s reflects %d prefixes to 10 clients: %.3f s\n' "$name" "$COUNT" "$mt"
  summary+=("${name}_s=$(printf %.3f "$mt")")
  best[$name]=$mt
done
fastest=$(for r in bird frr gobgp; do if [ -n "${best[$r]:-}" ]; then echo "${best[$r]}"; fi; done | sort -g | head -1)
ratio=$( [ -n "$fastest" ] && [ -n "${best[weft]:-}" ] && echo "${best[weft]} / $fastest" | bc -l || echo 0)
printf 'bench bgp-reflect: runs=%d prefixes=%d clients=10 %s ratio=%.2f\n' "$RUNS" "$COUNT" "${summary[*]}" "$ratio"
