#!/usr/bin/env bash
# Startup benchmark: time from launch to a working console, and resident memory after start,
# for (1) plain Apache Karaf 4.4.10 (the baseline), (2) the Weft distribution, (3) the lean
# Weft runtime jar. Each is started RUNS times from a freshly unpacked copy; medians reported.
#
#   Karaf ready: the console ran `bundle:list` (plain) / `weft:status` reported the node
#                registered in its datastore (Weft): typed into a pseudo-terminal as an operator
#                would, repeated every 0.2 s until the answer appears.
#   Lean ready:  the runtime logged that the node registered in its datastore.
#   RSS:         VmRSS of the JVM 3 s after ready.
#
# Run from the repository root after `mvn install -DskipTests`:
#   integration-tests/bench/startup.sh            (RUNS=5 by default)
# Needs: java, mvn (fetches apache-karaf-4.4.10.tar.gz into ~/.m2 once), script (util-linux).
set -euo pipefail

RUNS=${RUNS:-5}
KARAF_VERSION=4.4.10
root=$(pwd)
weft_tar=$(ls "$root"/distribution/target/weft-distribution-*.tar.gz 2>/dev/null | head -1)
lean_jar="$root/runtime/target/weft-node.jar"
[ -f "$weft_tar" ] && [ -f "$lean_jar" ] || { echo "build first: mvn install -DskipTests (from the repository root)" >&2; exit 1; }
export JAVA_HOME=${JAVA_HOME:-$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")}

work=$(mktemp -d /tmp/weft-bench-startup.XXXXXX)
pids_to_kill=()
cleanup() {
  for p in "${pids_to_kill[@]}"; do kill -9 "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

karaf_tar="$work/apache-karaf-$KARAF_VERSION.tar.gz"
mvn -q -B -Dstyle.color=never dependency:copy -Dartifact=org.apache.karaf:apache-karaf:$KARAF_VERSION:tar.gz \
    -DoutputDirectory="$work" -Dmdep.stripVersion=false >/dev/null
[ -f "$karaf_tar" ] || { echo "could not fetch apache-karaf $KARAF_VERSION" >&2; exit 1; }

now() { date +%s.%N; }
rss_mb() { awk '/VmRSS/ {printf "%.0f", $2/1024}' "/proc/$1/status"; }
median() { sort -n | awk '{a[NR]=$1} END {m=(NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2; printf "%.2f", m}'; }

# start_karaf TAR COMMAND MARKER -> prints "seconds rss_mb"
start_karaf() {
  local tar=$1 command=$2 marker=$3 dir
  dir=$(mktemp -d "$work/karaf.XXXXXX")
  tar xzf "$tar" -C "$dir" --strip-components=1
  mkfifo "$dir/console.in"
  local t0; t0=$(now)
  # keep typing the command into the console until it answers
  ( while sleep 0.2; do echo "$command"; done > "$dir/console.in" ) &
  local typist=$!
  script -qfc "$dir/bin/karaf" /dev/null < "$dir/console.in" > "$dir/console.out" 2>&1 &
  local console=$!
  pids_to_kill+=("$typist" "$console")
  local deadline=$(( $(date +%s) + 120 ))
  until grep -q "$marker" "$dir/console.out"; do
    sleep 0.05
    [ "$(date +%s)" -lt "$deadline" ] || { echo "timed out; console said:" >&2; tail -20 "$dir/console.out" >&2; exit 1; }
  done
  local t1; t1=$(now)
  sleep 3
  local jvm; jvm=$(pgrep -f "karaf.base=$dir" | head -1)
  local rss; rss=$(rss_mb "$jvm")
  kill "$typist" 2>/dev/null || true
  kill "$jvm" 2>/dev/null || true
  wait "$console" 2>/dev/null || true
  while kill -0 "$jvm" 2>/dev/null; do sleep 0.1; done
  echo "$(echo "$t1 - $t0" | bc -l) $rss"
  rm -rf "$dir"
}

# start_lean -> prints "seconds rss_mb"
start_lean() {
  local dir; dir=$(mktemp -d "$work/lean.XXXXXX")
  cp -r "$root/runtime/etc" "$dir/etc"
  local t0; t0=$(now)
  (cd "$dir" && exec java -jar "$lean_jar" > "$dir/out.log" 2>&1) &
  local jvm=$!
  pids_to_kill+=("$jvm")
  local deadline=$(( $(date +%s) + 60 ))
  until grep -q "registered in datastore" "$dir/out.log"; do
    sleep 0.02
    [ "$(date +%s)" -lt "$deadline" ] || { echo "lean runtime did not start:" >&2; cat "$dir/out.log" >&2; exit 1; }
  done
  local t1; t1=$(now)
  sleep 3
  local rss; rss=$(rss_mb "$jvm")
  kill "$jvm"; wait "$jvm" 2>/dev/null || true
  echo "$(echo "$t1 - $t0" | bc -l) $rss"
  rm -rf "$dir"
}

declare -a kt km wt wm lt lm
for i in $(seq 1 "$RUNS"); do
  read -r t m < <(start_karaf "$karaf_tar" "bundle:list" "│ Active"); kt+=("$t"); km+=("$m")
  read -r t m < <(start_karaf "$weft_tar" "weft:status" "node registered"); wt+=("$t"); wm+=("$m")
  read -r t m < <(start_lean); lt+=("$t"); lm+=("$m")
  printf 'run %d: karaf %.2fs %sMB | weft %.2fs %sMB | lean %.2fs %sMB\n' "$i" "${kt[-1]}" "${km[-1]}" "${wt[-1]}" "${wm[-1]}" "${lt[-1]}" "${lm[-1]}"
done

k_t=$(printf '%s\n' "${kt[@]}" | median); k_m=$(printf '%s\n' "${km[@]}" | median)
w_t=$(printf '%s\n' "${wt[@]}" | median); w_m=$(printf '%s\n' "${wm[@]}" | median)
l_t=$(printf '%s\n' "${lt[@]}" | median); l_m=$(printf '%s\n' "${lm[@]}" | median)
ratio=$(echo "$w_t / $k_t" | bc -l)
rss_delta=$(echo "$w_m - $k_m" | bc -l)
printf 'bench startup: runs=%d karaf_ready_s=%.2f karaf_rss_mb=%.0f weft_ready_s=%.2f weft_rss_mb=%.0f weft_rss_delta_mb=%.0f lean_ready_s=%.2f lean_rss_mb=%.0f ratio=%.2f\n' \
  "$RUNS" "$k_t" "$k_m" "$w_t" "$w_m" "$rss_delta" "$l_t" "$l_m" "$ratio"
