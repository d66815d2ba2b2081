# Shared by the BGP benchmarks (sourced, not run): the speaker's class path, a two-namespace lab
# (feeder side 10.0.0.0/24 addresses, receiver 10.0.0.2), and how to start and count routes in
# each receiver: Weft (BgpBench.java), BIRD 2, FRR bgpd (without zebra: RIB only) and GoBGP.
root=$(pwd)
[ -f "$root/bundles/io.weft.bgp/target/io.weft.bgp-0.1.0-SNAPSHOT.jar" ] || {
  echo "build first: mvn install -DskipTests (from the repository root)" >&2; exit 1; }
[ "$(id -u)" = 0 ] || { echo "the BGP benchmarks create network namespaces: run as root" >&2; exit 1; }
for tool in bird birdc vtysh gobgpd gobgp python3; do
  command -v "$tool" >/dev/null || { echo "missing $tool: apt-get install bird2 frr gobgpd python3" >&2; exit 1; }
done
source "$root/integration-tests/bench/lib.sh"
CP="$root/bundles/io.weft.bgp/target/io.weft.bgp-0.1.0-SNAPSHOT.jar:$(module_classpath "$root/bundles/io.weft.bgp")"
PEER="env HOLD=${HOLD:-0} python3 $root/integration-tests/bench/bgp_peer.py"
work=$(mktemp -d)
FEED=wbb-feed-$$
RECV=wbb-recv-$$
pids=()

lab_up() {
  ip netns add "$FEED"; ip netns add "$RECV"
  ip -n "$FEED" link set lo up; ip -n "$RECV" link set lo up
  ip -n "$FEED" link add eth0 type veth peer name eth0 netns "$RECV"
  ip -n "$FEED" addr add 10.0.0.1/24 dev eth0
  for i in $(seq 11 20); do ip -n "$FEED" addr add 10.0.0.$i/24 dev eth0; done
  ip -n "$RECV" addr add 10.0.0.2/24 dev eth0
  ip -n "$FEED" link set eth0 up; ip -n "$RECV" link set eth0 up
}

stop_all() {
  for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  pids=()
  # daemons started through ip netns exec keep their own pid files
  for f in "$work"/*.pid; do [ -f "$f" ] && kill -9 "$(cat "$f")" 2>/dev/null; rm -f "$f"; done
  ip netns pids "$RECV" 2>/dev/null | xargs -r kill -9 2>/dev/null || true
  ip netns pids "$FEED" 2>/dev/null | xargs -r kill -9 2>/dev/null || true
  sleep 0.2
}

cleanup() { stop_all; ip netns del "$FEED" 2>/dev/null || true; ip netns del "$RECV" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

# waits for a line "key=value" in a file; prints value
await_field() {
  local file=$1 key=$2 limit=${3:-600}
  for _ in $(seq 1 $((limit * 100))); do
    v=$(sed -n "s/^$key=//p" "$file" 2>/dev/null | head -1)
    [ -n "$v" ] && { echo "$v"; return; }
    sleep 0.01
  done
  echo "timed out waiting for $key in $file:" >&2; cat "$file" >&2; exit 1
}
await_line() {
  local file=$1 text=$2
  for _ in $(seq 1 6000); do grep -q "^$text" "$file" 2>/dev/null && return; sleep 0.01; done
  echo "timed out waiting for '$text' in $file:" >&2; cat "$file" >&2; exit 1
}

rss_kb() { awk '/^VmRSS/ {print $2}' "/proc/$1/status"; }

# ---- receivers: start_<name> CONFIG-ARGS; count_<name> prints routes held; pid_<name> main pid
start_bird() { # $1: bgp protocol body lines
  cat > "$work/bird.conf" <<CONF
router id 10.0.0.2;
protocol device { }
$1
CONF
  ip netns exec "$RECV" bird -c "$work/bird.conf" -s "$work/bird.ctl" -P "$work/bird.pid"
  for _ in $(seq 1 200); do birdc -s "$work/bird.ctl" show status >/dev/null 2>&1 && return; sleep 0.02; done
  echo "BIRD did not start" >&2; exit 1
}
count_bird() { birdc -s "$work/bird.ctl" show route count 2>/dev/null | awk '/routes for/ {print $1; exit}'; }
pid_bird() { cat "$work/bird.pid"; }

start_frr() { # $1: router bgp body
  mkdir -p "$work/frr"; chown -R frr:frr "$work/frr" 2>/dev/null || true
  cat > "$work/frr/bgpd.conf" <<CONF
frr defaults traditional
hostname bench
$1
CONF
  ip netns exec "$RECV" /usr/lib/frr/bgpd -d -Z -S -n -l 10.0.0.2 -f "$work/frr/bgpd.conf" -i "$work/bgpd.pid" \
      --vty_socket "$work/frr" -P 0 -u root -g root >/dev/null 2>&1
  for _ in $(seq 1 200); do [ -S "$work/frr/bgpd.vty" ] && return; sleep 0.02; done
  echo "bgpd did not start" >&2; exit 1
}
frr_cmd() { vtysh --vty_socket "$work/frr" -d bgpd -c "$1" 2>/dev/null; }
count_frr() { frr_cmd "show bgp ipv4 unicast summary json" | grep -o '"pfxRcd":[0-9]*' | cut -d: -f2 | sort -n | head -1; }
pid_frr() { cat "$work/bgpd.pid"; }

start_gobgp() { # $1: toml
  printf '%s\n' "$1" > "$work/gobgp.toml"
  ip netns exec "$RECV" gobgpd -f "$work/gobgp.toml" --api-hosts 127.0.0.1:50051 --pprof-disable \
      --log-level=warn > "$work/gobgp.log" 2>&1 &
  pids+=($!)
  echo $! > "$work/gobgp.pid.main"
  for _ in $(seq 1 200); do ip netns exec "$RECV" gobgp global >/dev/null 2>&1 && return; sleep 0.05; done
  echo "gobgpd did not start" >&2; cat "$work/gobgp.log" >&2; exit 1
}
count_gobgp() { ip netns exec "$RECV" gobgp global rib summary -a ipv4 2>/dev/null | sed -n 's/.*Destination: \([0-9]*\).*/\1/p'; }
pid_gobgp() { cat "$work/gobgp.pid.main"; }

# polls count_$1 until it reaches $2; prints the epoch time it did
await_count() {
  local name=$1 want=$2 interval=${3:-0.01} n
  for _ in $(seq 1 100000); do
    n=$(count_"$name"); n=${n:-0}
    if [ "$n" -ge "$want" ]; then now; return; fi
    sleep "$interval"
  done
  echo "$name never reached $want routes (last $n)" >&2; exit 1
}
