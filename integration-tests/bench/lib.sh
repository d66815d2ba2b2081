# Shared by the benchmark scripts (sourced, not run): medians, reading key=value figures, and a
# throwaway etcd on disk. Callers set $work (a temporary directory they remove) before start_etcd.
median() { sort -n | awk '{a[NR]=$1} END {m=(NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2; printf "%.4f", m}'; }
field() { tr ' ' '\n' | sed -n "s/^$1=//p"; }
now() { date +%s.%N; }

# The test-scope class path of the Maven module at $1 (offline: run after mvn install), or exit
# naming the module.
module_classpath() {
  local file; file=$(mktemp)
  mvn -q -B -o -Dstyle.color=never -f "$1/pom.xml" dependency:build-classpath \
      -Dmdep.includeScope=test -Dmdep.outputFile="$file" >/dev/null 2>&1 ||
    { rm -f "$file"; echo "mvn dependency:build-classpath failed for ${1#"$root"/}" >&2; exit 1; }
  cat "$file"; rm -f "$file"
}

etcd_pid=
# Starts etcd on random loopback ports with its data in $work/etcd; sets $url and $etcd_pid.
start_etcd() {
  local port=$((20000 + RANDOM % 20000)); local peer=$((port + 1))
  etcd --name bench --data-dir "$work/etcd" --listen-client-urls "http://127.0.0.1:$port" \
       --advertise-client-urls "http://127.0.0.1:$port" --listen-peer-urls "http://127.0.0.1:$peer" \
       --initial-advertise-peer-urls "http://127.0.0.1:$peer" --initial-cluster "bench=http://127.0.0.1:$peer" \
       > "$work/etcd.log" 2>&1 &
  etcd_pid=$!
  url="http://127.0.0.1:$port"
  for _ in $(seq 1 100); do curl -sf "$url/health" >/dev/null 2>&1 && break; sleep 0.1; done
  curl -sf "$url/health" >/dev/null || { echo "etcd did not start:"; tail "$work/etcd.log"; exit 1; } >&2
}

stop_etcd() {
  if [ -n "$etcd_pid" ]; then { kill -9 "$etcd_pid"; wait "$etcd_pid"; } 2>/dev/null || true; fi
  etcd_pid=
}
