#!/usr/bin/env bash
# Datastore benchmark: compare-and-swap update throughput/latency and watch latency for the
# embedded store (fsync on, group commit) and for the etcd adapter, beside raw etcd driven
# through its JSON gateway with curl (one keep-alive connection), all in one run against one
# throwaway etcd on disk.
#   integration-tests/bench/datastore-cas.sh        (from the repository root, after mvn install -DskipTests)
# Needs: java, mvn, etcd (Debian etcd-server), curl, base64.
set -euo pipefail
RUNS=${RUNS:-3}
RAW_OPS=${RAW_OPS:-1000}
PARTS=${PARTS:-all}   # etcd: only the etcd adapter and raw etcd (the embedded figures print 0)
root=$(pwd)
for jar in bundles/io.weft.datastore.embedded/target/io.weft.datastore.embedded-0.1.0-SNAPSHOT.jar \
           bundles/io.weft.datastore.etcd/target/io.weft.datastore.etcd-0.1.0-SNAPSHOT.jar; do
  [ -f "$root/$jar" ] || { echo "build first: mvn install -DskipTests (from the repository root)" >&2; exit 1; }
done
command -v etcd >/dev/null || { echo "etcd is not installed (Debian package etcd-server)" >&2; exit 1; }

source "$root/integration-tests/bench/lib.sh"
CP="$root/bundles/io.weft.datastore.etcd/target/io.weft.datastore.etcd-0.1.0-SNAPSHOT.jar:$root/bundles/io.weft.datastore.embedded/target/io.weft.datastore.embedded-0.1.0-SNAPSHOT.jar:$(module_classpath "$root/bundles/io.weft.datastore.etcd")"
bench() { java -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -cp "$CP" "$root/integration-tests/bench/DatastoreBench.java" "$@"; }

work=$(mktemp -d /tmp/weft-bench-ds.XXXXXX)
cleanup() { stop_etcd; rm -rf "$work"; }
trap cleanup EXIT
start_etcd

# raw etcd: sequential CAS (txn compare mod_revision, then put) on one key, one curl process
# keeping its connection alive; per-request time from curl itself
raw_cas() {
  local key b64k b64v rev cfg
  key="/bench/raw/$1"; b64k=$(printf %s "$key" | base64 -w0); b64v=$(printf v | base64 -w0)
  rev=$(curl -sf -X POST "$url/v3/kv/put" -d "{\"key\":\"$b64k\",\"value\":\"$b64v\"}" | sed -n 's/.*"revision":"\([0-9]*\)".*/\1/p')
  cfg="$work/raw.cfg"; : > "$cfg"
  for i in $(seq 1 "$RAW_OPS"); do
    [ "$i" = 1 ] || echo next >> "$cfg"
    printf 'url = "%s/v3/kv/txn"\ndata = "{\\"compare\\":[{\\"key\\":\\"%s\\",\\"target\\":\\"MOD\\",\\"mod_revision\\":\\"%s\\"}],\\"success\\":[{\\"request_put\\":{\\"key\\":\\"%s\\",\\"value\\":\\"%s\\"}}]}"\noutput = /dev/null\nwrite-out = "%%{time_total}\\n"\n' \
      "$url" "$b64k" "$((rev + i - 1))" "$b64k" "$b64v" >> "$cfg"
  done
  local t0 t1; t0=$(date +%s.%N)
  curl -s -K "$cfg" > "$work/raw.times"
  t1=$(date +%s.%N)
  # every CAS must have succeeded: the key moved RAW_OPS revisions on
  local final; final=$(curl -sf -X POST "$url/v3/kv/range" -d "{\"key\":\"$b64k\"}" | sed -n 's/.*"mod_revision":"\([0-9]*\)".*/\1/p')
  [ "$final" = "$((rev + RAW_OPS))" ] || { echo "raw CAS did not all succeed (mod_revision $final, expected $((rev + RAW_OPS)))" >&2; exit 1; }
  local p50; p50=$(sort -n "$work/raw.times" | awk '{a[NR]=$1} END {printf "%.4f", a[int((NR+1)/2)]*1000}')
  echo "raw cas_per_s=$(echo "$RAW_OPS / ($t1 - $t0)" | bc -l) p50_ms=$p50"
}

declare -a e8 e1 ew ac ap aw rc rp
for run in $(seq 1 "$RUNS"); do
  if [ "$PARTS" != etcd ]; then
    line=$(bench embedded-cas "$work/emb8-$run" 8 2500); e8+=("$(echo "$line" | field cas_per_s)")
    line=$(bench embedded-cas "$work/emb1-$run" 1 3000); e1+=("$(echo "$line" | field cas_per_s)")
    line=$(bench embedded-watch "$work/embw-$run" 2000); ew+=("$(echo "$line" | field watch_p50_ms)")
  else
    e8+=(0); e1+=(0); ew+=(0)
  fi
  # the adapter and raw etcd back to back, so that both see the machine in the same state
  line=$(bench etcd-cas "$url" 1000); ac+=("$(echo "$line" | field cas_per_s)"); ap+=("$(echo "$line" | field p50_ms)")
  line=$(raw_cas "$run"); rc+=("$(echo "$line" | field cas_per_s)"); rp+=("$(echo "$line" | field p50_ms)")
  line=$(bench etcd-watch "$url" 1000); aw+=("$(echo "$line" | field watch_p50_ms)")
  printf 'run %d: embedded 8w %.0f/s 1w %.0f/s watch %.3f ms | etcd adapter %.0f/s p50 %.3f ms watch %.3f ms | raw etcd %.0f/s p50 %.3f ms\n' \
    "$run" "${e8[-1]}" "${e1[-1]}" "${ew[-1]}" "${ac[-1]}" "${ap[-1]}" "${aw[-1]}" "${rc[-1]}" "${rp[-1]}"
done
m() { printf '%s\n' "$@" | median; }
m_ap=$(m "${ap[@]}"); m_rp=$(m "${rp[@]}")
printf 'bench datastore-cas: runs=%d embedded_cas_8w_per_s=%.0f embedded_cas_1w_per_s=%.0f embedded_watch_p50_ms=%.3f etcd_adapter_cas_per_s=%.0f etcd_adapter_cas_p50_ms=%.3f etcd_watch_p50_ms=%.3f etcd_raw_cas_per_s=%.0f etcd_raw_cas_p50_ms=%.3f ratio=%.2f\n' \
  "$RUNS" "$(m "${e8[@]}")" "$(m "${e1[@]}")" "$(m "${ew[@]}")" "$(m "${ac[@]}")" "$m_ap" "$(m "${aw[@]}")" \
  "$(m "${rc[@]}")" "$m_rp" "$(echo "$m_ap / $m_rp" | bc -l)"
