#!/usr/bin/env bash
# Route programming benchmark: add then delete COUNT /26 routes (via a gateway, proto 80) in a
# network namespace, with Weft's netlink batch API and with `ip -batch` (the baseline), same
# routes, same run. Reports median routes/s over RUNS runs for 10,000 and 100,000 routes.
#   integration-tests/bench/netlink-routes.sh        (as root, from the repository root, after mvn install -DskipTests)
set -euo pipefail
RUNS=${RUNS:-3}
source "$(dirname "$0")/netlink-common.sh"

ns=wbench-routes-$$
cleanup() { ip netns del "$ns" 2>/dev/null || true; }
trap cleanup EXIT
ip netns add "$ns"
ip -n "$ns" link add bench0 type veth peer name bench1
ip -n "$ns" link set bench0 up
ip -n "$ns" link set bench1 up
ip -n "$ns" addr add 10.0.0.1/24 dev bench0

summary=()
ratio_min=
for count in 10000 100000; do
  adds=$(mktemp); dels=$(mktemp)
  # the same routes NetlinkBench.block(i) makes: the i-th /26 of 10.128.0.0/9
  awk -v n="$count" 'BEGIN { for (i = 0; i < n; i++) { a = 10*16777216 + 128*65536 + i*64;
      printf "route add %d.%d.%d.%d/26 via 10.0.0.2 dev bench0 proto 80\n", int(a/16777216)%256, int(a/65536)%256, int(a/256)%256, a%256 } }' > "$adds"
  sed 's/^route add/route del/' "$adds" > "$dels"
  wa=(); wd=(); ia=(); id=()
  for run in $(seq 1 "$RUNS"); do
    read -r _ a d < <(bench_java routes "$ns" "$count" bench0)
    wa+=("$(echo "$count / ${a#add_s=}" | bc -l)"); wd+=("$(echo "$count / ${d#del_s=}" | bc -l)")
    t0=$(now); ip -n "$ns" -batch "$adds"; t1=$(now); ip -n "$ns" -batch "$dels"; t2=$(now)
    ia+=("$(echo "$count / ($t1 - $t0)" | bc -l)"); id+=("$(echo "$count / ($t2 - $t1)" | bc -l)")
    left=$(ip -n "$ns" route show proto 80 | wc -l)
    [ "$left" = 0 ] || { echo "run left $left routes behind" >&2; exit 1; }
  done
  rm -f "$adds" "$dels"
  m_wa=$(printf '%s\n' "${wa[@]}" | median); m_wd=$(printf '%s\n' "${wd[@]}" | median)
  m_ia=$(printf '%s\n' "${ia[@]}" | median); m_id=$(printf '%s\n' "${id[@]}" | median)
  r_add=$(echo "$m_wa / $m_ia" | bc -l); r_del=$(echo "$m_wd / $m_id" | bc -l)
  printf 'routes=%d: weft add %.0f/s del %.0f/s | ip -batch add %.0f/s del %.0f/s | ratio add %.2f del %.2f\n' \
    "$count" "$m_wa" "$m_wd" "$m_ia" "$m_id" "$r_add" "$r_del"
  k=$((count / 1000))k
  summary+=("weft_add_${k}_per_s=$(printf %.0f "$m_wa")" "weft_del_${k}_per_s=$(printf %.0f "$m_wd")"
            "ip_batch_add_${k}_per_s=$(printf %.0f "$m_ia")" "ip_batch_del_${k}_per_s=$(printf %.0f "$m_id")")
  for r in "$r_add" "$r_del"; do
    if [ -z "$ratio_min" ] || [ "$(echo "$r < $ratio_min" | bc -l)" = 1 ]; then ratio_min=$r; fi
  done
done
# ratio: the worst of Weft/ip -batch over adds and deletes at both sizes
printf 'bench netlink-routes: runs=%d %s ratio=%.2f\n' "$RUNS" "${summary[*]}" "$ratio_min"
