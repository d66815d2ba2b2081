#!/usr/bin/env bash
# BGP to FIB benchmark: a feeder announces COUNT IPv4 /24s over one eBGP session (AS 65001 ->
# AS 65002) to a receiver alone in its own network namespace, which installs them in that
# namespace's kernel FIB; timed from the feeder's Established until the kernel holds them all.
#   integration-tests/bench/bgp-fib.sh      (as root, from the repository root, after mvn install -DskipTests)
#   RUNS=3 (medians), COUNT=1000000 (COUNT=100000 for a quick run)
# Receivers, in the same run, same namespaces:
# * weft: BgpSpeaker + the agent's learned-route installer, wired as a node wires them (the
#   speaker's addSink(agent)), in one JVM (BgpFibBench in the agent's test sources; -Xmx2g,
#   ParallelGC, JVM start not counted; the feeder starts once the JVM is idle after its start-up
#   warm-ups, as a node's peers meet a speaker that has been up for seconds);
# * bird: BIRD 2 with `protocol kernel { ipv4 { export all; }; learn off; merge paths on; }`.
# The kernel's own limit, same run, in a fresh namespace: `ip -batch` adding the same COUNT routes
# (one request at a time, each ACKed), and the netlink bundle's Batch adding them pipelined
# (nothing but the kernel work and the message encoding); kernel_s is the faster of the two.
# installer_s: the agent's learned-route installer alone, in the same fresh namespace: COUNT
# routes handed to its RouteSink directly (1,000 per update, no BGP), timed from the first update
# to the last kernel ACK (BgpFibBench direct), to tell the installer's cost from the speaker's.
# kernel_watched_s: the netlink Batch again with a route listener in the namespace, as every
# routing daemon has one (BIRD's async netlink socket, the agent's repair): the kernel then
# builds a notification per route, and the listener takes CPU.
# Done is seen by the kernel itself: both receivers install in the order the prefixes arrive, so
# a lookup of the last prefix (fib_poll.py: `ip route get fibmatch` over one netlink socket, every
# 20 ms, about 0.1 ms of CPU a poll; starting ip and grep per poll cost 8 ms of CPU each on this
# machine, taken from the receiver being timed) says when the last one is in; then "Prefixes" of the Main trie in /proc/net/fib_triestat (a 100 ms walk at 1M, too
# dear to poll) must have grown by COUNT, else that count is polled until it has and its time
# taken. Outside the timed span `ip -o route show proto bird | wc -l` must equal COUNT.
# Between measurements the namespace's routes go with a link down/up of eth0 (0.7 s for 1M, where
# deleting them one by one takes the kernel 40 s).
# PARTS (default all): a subset for paired runs, e.g. PARTS="weft kernel" (weft and the netlink
# Batch alone); parts left out print 0. WEFT_CP: class path entries put first for the weft receiver
# (e.g. an older build's classes and jar, to compare old and new in the same minutes). DIAG=1:
# the first sink update's delay and CPU seconds per thread (user+system) of Weft and of the Batch.
# Last line: bench bgp-fib: … weft_vs_kernel=<weft_s / kernel_s> installer_vs_kernel=… ratio=<weft_s / bird_s>
# (goal: weft_vs_kernel <= 1.1, i.e. Weft within 10 % of the kernel's limit).
set -euo pipefail
RUNS=${RUNS:-3}
COUNT=${COUNT:-1000000}
PARTS=${PARTS:-"weft bird ip-batch kernel watched installer"}
part() { [[ " $PARTS " == *" $1 "* ]]; }
source "$(dirname "$0")/bgp-common.sh"
mod=$root/bundles/io.weft.agent
[ -d "$mod/target/test-classes/io/weft/agent" ] ||
  { echo "build first: mvn install -DskipTests (from the repository root)" >&2; exit 1; }
AGENT_CP="$mod/target/classes:$mod/target/test-classes:$(module_classpath "$mod")"
KERN=wbb-kern-$$
trap 'cleanup; ip netns del "$KERN" 2>/dev/null || true' EXIT
lab_up
ip netns add "$KERN"
ip -n "$KERN" link set lo up
ip -n "$KERN" link add eth0 type veth peer name eth0-peer
ip -n "$KERN" addr add 10.0.0.2/24 dev eth0
ip -n "$KERN" link set eth0 up; ip -n "$KERN" link set eth0-peer up

fib_count() { # prefixes in the namespace's main FIB
  ip netns exec "$1" awk '/^Main:/ {m=1} m && /Prefixes:/ {print $2; exit}' /proc/net/fib_triestat
}
last=$(( (100 << 24) + (COUNT - 1) * 256 ))
last_prefix="$((last >> 24)).$(((last >> 16) & 255)).$(((last >> 8) & 255)).0"
# waits until namespace $1 holds the last prefix and $2 more prefixes than $3; prints the epoch time
await_fib() {
  local ns=$1 want=$2 base=$3 n=0 t
  if t=$(ip netns exec "$ns" python3 "$root/integration-tests/bench/fib_poll.py" "$last_prefix" 12 0.02 300); then
    for _ in $(seq 1 1200); do
      n=$(fib_count "$ns")
      [ $((n - base)) -ge "$want" ] && { echo "$t"; return; }
      sleep 0.25; t=$(now)
    done
  fi
  echo "$ns never reached $want routes (last count $((n - base)))" >&2; exit 1
}
check_bird_routes() {
  local n; n=$(ip -n "$1" -o route show proto bird | wc -l)
  [ "$n" = "$COUNT" ] || { echo "$2: the kernel holds $n proto bird routes, expected $COUNT" >&2; exit 1; }
}
flush_bird() {
  ip -n "$1" link set eth0 down; ip -n "$1" link set eth0 up
  local n; n=$(ip -n "$1" -o route show proto bird | wc -l)
  [ "$n" = 0 ] || { echo "$1: $n proto bird routes left after flush" >&2; exit 1; }
}

bird_conf='protocol kernel {
  ipv4 { import none; export all; };
  learn off;
  merge paths on;
}
protocol bgp feeder {
  local 10.0.0.2 as 65002; neighbor 10.0.0.1 as 65001; passive on;
  ipv4 { import all; export none; };
}'

# one measurement of receiver $1: prints "seconds"
measure() {
  local name=$1 base t0 t1
  base=$(fib_count "$RECV")
  : > "$work/feed.out"
  if [ "$name" = weft ]; then
    : > "$work/weft.out"
    ip netns exec "$RECV" java ${DIAG:+-Ddiag=true} ${WEFT_JOPTS:-} -Xms2g -Xmx2g -XX:+UseParallelGC -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
        -cp "${WEFT_CP:+$WEFT_CP:}$AGENT_CP" io.weft.agent.BgpFibBench receive 10.0.0.2 10.0.0.1 65001 65002 "$COUNT" \
        > "$work/weft.out" 2> "$work/weft.err" &
    pids+=($!)
    await_line "$work/weft.out" ready
  else
    start_bird "$bird_conf"
  fi
  ip netns exec "$FEED" $PEER feed 10.0.0.1 10.0.0.2 65001 65002 "$COUNT" > "$work/feed.out" 2>&1 &
  pids+=($!)
  t0=$(await_field "$work/feed.out" established)
  t1=$(await_fib "$RECV" "$COUNT" "$base")
  check_bird_routes "$RECV" "$name"
  if [ "$name" = weft ]; then
    await_field "$work/weft.out" resync_ms >/dev/null
    local first; first=$(sed -n 's/^first_update=//p' "$work/weft.out") # with DIAG=1
    [ -z "$first" ] || printf 'weft: first sink update %.3f s after Established\n' "$(echo "$first - $t0" | bc -l)" >&2
    if [ -n "${DIAG:-}" ]; then cp "$work/weft.out" "${TMPDIR:-/tmp}/bgp-fib-weft.out"; fi
    grep -v '^ready\|^installed' "$work/weft.out" | tr '\n' ' ' >&2; echo >&2
  fi
  stop_all
  flush_bird "$RECV"
  echo "$t1 - $t0" | bc -l
}

batch_file=$work/routes.batch
python3 - "$COUNT" > "$batch_file" <<'PY'
import sys
for i in range(int(sys.argv[1])):
    a = (100 << 24) + i * 256
    print("route add %d.%d.%d.0/24 via 10.0.0.1 proto bird" % (a >> 24, (a >> 16) & 255, (a >> 8) & 255))
PY
kernel_ip_batch() {
  local t0 t1
  t0=$(now); ip -n "$KERN" -batch "$batch_file" >/dev/null; t1=$(now)
  check_bird_routes "$KERN" "ip -batch"
  flush_bird "$KERN"
  echo "$t1 - $t0" | bc -l
}
kernel_netlink() { # $1: "" or "watched"
  local s
  s=$(ip netns exec "$KERN" java ${DIAG:+-Ddiag=true} -Xmx2g -XX:+UseParallelGC -cp "$AGENT_CP" io.weft.agent.BgpFibBench netlink "$COUNT" 10.0.0.1 ${1:-} |
      sed -n 's/^netlink[a-z_]*_s=//p')
  check_bird_routes "$KERN" "netlink Batch"
  flush_bird "$KERN"
  echo "$s"
}

installer_only() { # the agent fed COUNT routes straight into its sink, 1,000 per update, no BGP
  local s
  s=$(ip netns exec "$KERN" java ${DIAG:+-Ddiag=true} -Xms2g -Xmx2g -XX:+UseParallelGC -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
      -cp "$AGENT_CP" io.weft.agent.BgpFibBench direct "$COUNT" 1000 | sed -n 's/^direct_s=//p')
  check_bird_routes "$KERN" "installer"
  flush_bird "$KERN"
  echo "$s"
}

weft=(); bird=(); ipb=(); nlb=(); nlw=(); ins=()
for run in $(seq 1 "$RUNS"); do
  w=0; b=0; i=0; n=0; m=0; d=0
  if part weft; then w=$(measure weft); fi
  if part bird; then b=$(measure bird); fi
  if part ip-batch; then i=$(kernel_ip_batch); fi
  if part kernel; then n=$(kernel_netlink); fi
  if part watched; then m=$(kernel_netlink watched); fi
  if part installer; then d=$(installer_only); fi
  printf 'run %d: weft %.3f s, bird %.3f s, ip -batch %.3f s, netlink Batch %.3f s (watched %.3f s), installer alone %.3f s\n' \
    "$run" "$w" "$b" "$i" "$n" "$m" "$d" >&2
  weft+=("$w"); bird+=("$b"); ipb+=("$i"); nlb+=("$n"); nlw+=("$m"); ins+=("$d")
done
weft_s=$(printf '%s\n' "${weft[@]}" | median)
bird_s=$(printf '%s\n' "${bird[@]}" | median)
ipb_s=$(printf '%s\n' "${ipb[@]}" | median)
nlb_s=$(printf '%s\n' "${nlb[@]}" | median)
nlw_s=$(printf '%s\n' "${nlw[@]}" | median)
ins_s=$(printf '%s\n' "${ins[@]}" | median)
kernel_s=$(printf '%s\n%s\n' "$ipb_s" "$nlb_s" | awk '$1 > 0' | sort -g | head -1)
kernel_s=${kernel_s:-0}
ratio_of() { if [ "$(echo "$2 > 0" | bc)" = 1 ]; then echo "$1 / $2" | bc -l; else echo 0; fi; }
printf 'bench bgp-fib: runs=%d count=%d weft_s=%.3f bird_s=%.3f kernel_s=%.3f kernel_ip_batch_s=%.3f kernel_netlink_s=%.3f kernel_watched_s=%.3f installer_s=%.3f weft_routes_per_s=%.0f bird_routes_per_s=%.0f kernel_routes_per_s=%.0f weft_vs_kernel=%.2f installer_vs_kernel=%.2f ratio=%.2f\n' \
  "$RUNS" "$COUNT" "$weft_s" "$bird_s" "$kernel_s" "$ipb_s" "$nlb_s" "$nlw_s" "$ins_s" \
  "$(ratio_of "$COUNT" "$weft_s")" "$(ratio_of "$COUNT" "$bird_s")" "$(ratio_of "$COUNT" "$kernel_s")" \
  "$(ratio_of "$weft_s" "$kernel_s")" "$(ratio_of "$ins_s" "$kernel_s")" "$(ratio_of "$weft_s" "$bird_s")"
