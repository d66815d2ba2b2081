#!/usr/bin/env bash
# CNI latency benchmark: what a pod start and stop cost through libcni, for Weft (the weft shim
# -> the node runtime's io.weft.cni server) beside the reference ptp + host-local plugins,
# driven the same way in the same run by integration-tests/cni-driver (Go, libcni, as containerd
# calls plugins).
#   integration-tests/bench/cni-latency.sh     (from the repository root, as root)
#   RUNS=3 (medians), SEQ=200 pods added then deleted one at a time, PAR=20 pods added (then
#   deleted) at once, ROUNDS=3 parallel rounds per run, EXECS=500 shim/plugin execs,
#   WARMUP=50 pods added and deleted through Weft before the first run, not timed (a node runtime
#   on a node is long-running and warm; the first calls after its start pay the JIT).
# Needs: go + golang-github-appc-cni-dev (builds the driver offline), gcc + make (the shim),
# /usr/lib/cni (Debian containernetworking-plugins), iproute2; java for the Weft part.
#
# Phases:
# * shim: the shim's own cost. The driver's stub-runtime answers the shim's protocol with no
#   work behind it; timed: exec of the shim -> connect -> forward -> relay (CNI_COMMAND=VERSION),
#   beside an exec of the reference ptp plugin answering VERSION itself (a trivial plugin call)
#   and an exec of /bin/true (the floor: fork + exec). Goal: shim <= 5 ms.
# * reference: ptp + host-local (veth pair, host-local IPAM on disk, routes), SEQ + PAR pods.
# * weft: the same pods through the shim into a node runtime. Used when
#     - WEFT_CNI_SOCKET names the socket of a node runtime already running (yours), or
#     - runtime/target/weft-node.jar contains io.weft.cni: the script starts it in a temporary
#       directory (embedded datastore there, pool 10.200.0.0/16, its "host" a netns of its own,
#       socket in the temporary directory) and stops it at the end.
#   Otherwise the weft figures are "na" and the script says why on stderr.
#
# Last line: bench cni-latency: … ratio=<weft ADD p50 / reference ADD p50> (goal: <= 1; "na"
# without Weft). Sequential figures are per pod; parallel ones per pod while PAR run at once.
set -euo pipefail
RUNS=${RUNS:-3}
SEQ=${SEQ:-200}
PAR=${PAR:-20}
ROUNDS=${ROUNDS:-3}
EXECS=${EXECS:-500}
WARMUP=${WARMUP:-50}
root=$(pwd)
[ -f "$root/integration-tests/bench/lib.sh" ] || { echo "run from the repository root" >&2; exit 1; }
[ "$(id -u)" = 0 ] || { echo "needs root (network namespaces, veths, routes)" >&2; exit 1; }
source "$root/integration-tests/bench/lib.sh"
for tool in go make gcc ip; do
  command -v "$tool" >/dev/null || { echo "$tool is missing: apt-get install golang-go golang-github-appc-cni-dev gcc make iproute2" >&2; exit 1; }
done
[ -d /usr/share/gocode/src/github.com/containernetworking/cni/libcni ] \
  || { echo "libcni source is missing: apt-get install golang-github-appc-cni-dev" >&2; exit 1; }
[ -x /usr/lib/cni/ptp ] || { echo "/usr/lib/cni/ptp is missing: apt-get install containernetworking-plugins" >&2; exit 1; }

work=$(mktemp -d /tmp/weft-bench-cni.XXXXXX)
pids=()
host_ns=
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  [ -z "$host_ns" ] || ip netns delete "$host_ns" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

# builds: the driver (Go, offline, GOPATH mode) and the shim (make), both into $work
( cd "$root/integration-tests/cni-driver" && GO111MODULE=off GOPATH=/usr/share/gocode GOCACHE="$work/go-cache" \
    go build -o "$work/cni-driver" . )
make --no-print-directory -s -C "$root/runtime/cni-shim" OUT="$work/bin" >/dev/null
driver="$work/cni-driver"
shim_dir="$work/bin"   # holds the shim as "weft", the conflist type

# ---- shim overhead ----
echo '{"cniVersion":"1.0.0","supportedVersions":["0.3.1","0.4.0","1.0.0","1.1.0"]}' > "$work/version-reply.json"
echo '{"cniVersion":"1.0.0"}' > "$work/version-request.json"
"$driver" stub-runtime "$work/stub.sock" "$work/version-reply.json" 2> "$work/stub.log" &
pids+=($!)
for _ in $(seq 1 50); do [ -S "$work/stub.sock" ] && break; sleep 0.1; done
time_exec() { CNI_COMMAND=VERSION WEFT_CNI_SOCKET="$work/stub.sock" "$driver" -stdin "$work/version-request.json" time-exec "$EXECS" "$@"; }

# ---- the pods ----
cat > "$work/reference.conflist" <<EOF
{"cniVersion": "1.0.0", "name": "bench-reference", "plugins": [
  {"type": "ptp", "ipMasq": false,
   "ipam": {"type": "host-local", "ranges": [[{"subnet": "10.199.0.0/16"}]], "routes": [{"dst": "0.0.0.0/0"}],
            "dataDir": "$work/host-local"}}]}
EOF
cat > "$work/weft.conflist" <<EOF
{"cniVersion": "1.0.0", "name": "k8s-pod-network", "plugins": [
  {"type": "weft", "log_level": "warning", "nodename": "bench-node", "mtu": 1440, "ipam": {"type": "weft"}}]}
EOF

weft_socket=
weft_why=
start_weft() {
  if [ -n "${WEFT_CNI_SOCKET:-}" ]; then
    [ -S "$WEFT_CNI_SOCKET" ] && { weft_socket=$WEFT_CNI_SOCKET; return; }
    weft_why="WEFT_CNI_SOCKET=$WEFT_CNI_SOCKET is not a socket"; return
  fi
  local jar="$root/runtime/target/weft-node.jar"
  [ -f "$jar" ] || { weft_why="$jar is missing (mvn install -DskipTests)"; return; }
  { unzip -l "$jar" 2>/dev/null || jar tf "$jar"; } | grep -q 'io\.weft\.cni-' \
    || { weft_why="the lean runtime $jar has no io.weft.cni bundle yet"; return; }
  command -v java >/dev/null || { weft_why="java is missing"; return; }
  local node="$work/node"
  mkdir -p "$node/etc"
  cp "$root"/runtime/etc/*.cfg "$node/etc/"
  host_ns="weftbench-host-$$"
  ip netns add "$host_ns"
  ip -n "$host_ns" link set lo up
  printf 'path = %s\nenabled = true\n' "$node/admin.sock" > "$node/etc/io.weft.admin.cfg"
  printf 'nodeName = bench-node\nregistrationTtlSeconds = 30\n' > "$node/etc/io.weft.node.cfg"
  printf 'socketPath = %s\nhostNetns = %s\n' "$node/cni.sock" "$host_ns" > "$node/etc/io.weft.cni.cfg"
  ( cd "$node" && exec env CALICO_IPV4POOL_CIDR=10.200.0.0/16 java -jar "$jar" ) > "$node/node.log" 2>&1 &
  pids+=($!)
  local deadline=$(( $(date +%s) + 120 ))
  until [ -S "$node/cni.sock" ]; do
    sleep 0.2
    if [ "$(date +%s)" -ge "$deadline" ] || ! kill -0 "${pids[-1]}" 2>/dev/null; then
      weft_why="the node runtime did not open $node/cni.sock within 120 s; its log: $(tail -5 "$node/node.log" | tr '\n' ' ')"
      return
    fi
  done
  weft_socket="$node/cni.sock"
}
start_weft
[ -n "$weft_socket" ] || echo "weft: skipped: $weft_why" >&2

run_pods() {  # conflist seq par rounds [env...] -> the driver's bench line
  local conflist=$1 seq=$2 par=$3 rounds=$4; shift 4
  env "$@" "$driver" -path "$shim_dir:/usr/lib/cni" -cache-dir "$work/cache" \
    -seq "$seq" -par "$par" -rounds "$rounds" bench "$conflist"
}
if [ -n "$weft_socket" ] && [ "$WARMUP" -gt 0 ]; then
  run_pods "$work/weft.conflist" "$WARMUP" "$PAR" 1 WEFT_CNI_SOCKET="$weft_socket" > /dev/null
fi

declare -a sh_p50 sh_p99 ref_exec true_exec r_sa r_sa99 r_sd r_sd99 r_pa r_pa99 r_pd w_sa w_sa99 w_sd w_sd99 w_pa w_pa99 w_pd
for run in $(seq 1 "$RUNS"); do
  line=$(time_exec "$shim_dir/weft"); sh_p50+=("$(echo "$line" | field p50_ms)"); sh_p99+=("$(echo "$line" | field p99_ms)")
  line=$(time_exec /usr/lib/cni/ptp); ref_exec+=("$(echo "$line" | field p50_ms)")
  line=$(time_exec /bin/true); true_exec+=("$(echo "$line" | field p50_ms)")
  rm -rf "$work/host-local"
  line=$(run_pods "$work/reference.conflist" "$SEQ" "$PAR" "$ROUNDS")
  r_sa+=("$(echo "$line" | field seq_add_p50_ms)"); r_sa99+=("$(echo "$line" | field seq_add_p99_ms)")
  r_sd+=("$(echo "$line" | field seq_del_p50_ms)"); r_sd99+=("$(echo "$line" | field seq_del_p99_ms)")
  r_pa+=("$(echo "$line" | field par_add_p50_ms)"); r_pa99+=("$(echo "$line" | field par_add_p99_ms)")
  r_pd+=("$(echo "$line" | field par_del_p50_ms)")
  summary=$(printf 'shim %.2f ms (p99 %.2f), ptp VERSION exec %.2f ms, /bin/true %.2f ms | reference ADD %.1f/%.1f ms DEL %.1f/%.1f ms, parallel ADD %.1f/%.1f ms DEL %.1f ms' \
    "${sh_p50[-1]}" "${sh_p99[-1]}" "${ref_exec[-1]}" "${true_exec[-1]}" "${r_sa[-1]}" "${r_sa99[-1]}" "${r_sd[-1]}" "${r_sd99[-1]}" \
    "${r_pa[-1]}" "${r_pa99[-1]}" "${r_pd[-1]}")
  if [ -n "$weft_socket" ]; then
    line=$(run_pods "$work/weft.conflist" "$SEQ" "$PAR" "$ROUNDS" WEFT_CNI_SOCKET="$weft_socket")
    w_sa+=("$(echo "$line" | field seq_add_p50_ms)"); w_sa99+=("$(echo "$line" | field seq_add_p99_ms)")
    w_sd+=("$(echo "$line" | field seq_del_p50_ms)"); w_sd99+=("$(echo "$line" | field seq_del_p99_ms)")
    w_pa+=("$(echo "$line" | field par_add_p50_ms)"); w_pa99+=("$(echo "$line" | field par_add_p99_ms)")
    w_pd+=("$(echo "$line" | field par_del_p50_ms)")
    summary+=$(printf ' | weft ADD %.1f/%.1f ms DEL %.1f/%.1f ms, parallel ADD %.1f/%.1f ms DEL %.1f ms' \
      "${w_sa[-1]}" "${w_sa99[-1]}" "${w_sd[-1]}" "${w_sd99[-1]}" "${w_pa[-1]}" "${w_pa99[-1]}" "${w_pd[-1]}")
  fi
  echo "run $run: $summary (p50/p99)"
done

m() { if [ $# -eq 0 ]; then echo na; else printf '%s\n' "$@" | median; fi; }
f() { if [ "$1" = na ]; then echo na; else printf "%.${2:-1}f" "$1"; fi; }
ref_add=$(m "${r_sa[@]}")
weft_add=$(m "${w_sa[@]+"${w_sa[@]}"}")
ratio=na
[ "$weft_add" = na ] || ratio=$(printf '%.2f' "$(echo "$weft_add / $ref_add" | bc -l)")
echo "bench cni-latency: runs=$RUNS seq=$SEQ par=$PAR shim_ms=$(f "$(m "${sh_p50[@]}")" 2) shim_p99_ms=$(f "$(m "${sh_p99[@]}")" 2)" \
  "plugin_exec_ms=$(f "$(m "${ref_exec[@]}")" 2) true_exec_ms=$(f "$(m "${true_exec[@]}")" 2)" \
  "ref_add_p50_ms=$(f "$ref_add") ref_add_p99_ms=$(f "$(m "${r_sa99[@]}")") ref_del_p50_ms=$(f "$(m "${r_sd[@]}")") ref_del_p99_ms=$(f "$(m "${r_sd99[@]}")")" \
  "ref_par_add_p50_ms=$(f "$(m "${r_pa[@]}")") ref_par_add_p99_ms=$(f "$(m "${r_pa99[@]}")") ref_par_del_p50_ms=$(f "$(m "${r_pd[@]}")")" \
  "weft_add_p50_ms=$(f "$weft_add") weft_add_p99_ms=$(f "$(m "${w_sa99[@]+"${w_sa99[@]}"}")") weft_del_p50_ms=$(f "$(m "${w_sd[@]+"${w_sd[@]}"}")") weft_del_p99_ms=$(f "$(m "${w_sd99[@]+"${w_sd99[@]}"}")")" \
  "weft_par_add_p50_ms=$(f "$(m "${w_pa[@]+"${w_pa[@]}"}")") weft_par_add_p99_ms=$(f "$(m "${w_pa99[@]+"${w_pa99[@]}"}")") weft_par_del_p50_ms=$(f "$(m "${w_pd[@]+"${w_pd[@]}"}")")" \
  "ratio=$ratio"
