#!/usr/bin/env bash
# Agent convergence benchmark: how fast the agent (io.weft.agent) turns datastore changes into
# kernel state, each phase in its own network namespace, with iproute2 programming the same
# kernel objects as the baseline in the same run (AgentConvergeBench in the agent's test sources).
#   integration-tests/bench/agent-converge.sh      (as root, from the repository root, after mvn install -DskipTests)
#   RUNS=3 (medians), ENDPOINTS=300 endpoints in the latency phase.
#
# Phases (memory datastore, the agent in-process like the node runtime runs it):
# * endpoint->route: ENDPOINTS WorkloadEndpoints written one at a time; latency from the write
#   to the route's RTM_NEWROUTE seen by a netlink subscription (p50, p99). Baseline: the same
#   /32 routes with `ip -batch` (per-route cost, no datastore, no decision).
# * join: a node joins a 50-node cluster over VXLAN Always (50 remote blocks, 5,000 remote
#   endpoints): agent start -> device, 50 ARP + 50 FDB entries and 51 routes in place. Baseline:
#   the same device, neighbours, routes and FDB with `ip -batch` + `bridge -batch`.
# * resync: 10,000 routes to remote blocks programmed (initial), then a full pass that re-reads
#   the kernel and finds nothing to change (median of 5 after 2 warm-up passes). Baselines:
#   `ip route show proto 80` (the dump alone) and `ip -batch` programming the 10,000 routes.
#
# Last line: bench agent-converge: … ratio=<endpoint p99 / 50 ms> (goal: <= 1). Medians of RUNS.
set -euo pipefail
RUNS=${RUNS:-3}
ENDPOINTS=${ENDPOINTS:-300}
root=$(pwd)
mod=$root/bundles/io.weft.agent
[ -d "$mod/target/test-classes/io/weft/agent" ] || { echo "build first: mvn install -DskipTests (from the repository root)" >&2; exit 1; }
[ "$(id -u)" = 0 ] || { echo "the agent benchmark creates network namespaces: run as root" >&2; exit 1; }
source "$root/integration-tests/bench/lib.sh"

CP="$mod/target/classes:$mod/target/test-classes:$(module_classpath "$mod")"

keys="endpoint_p50_ms endpoint_p99_ms ip_batch_route_us join_ms ip_batch_join_ms initial_10k_ms resync_10k_ms ip_batch_10k_ms ip_dump_10k_ms"
declare -A all
for run in $(seq 1 "$RUNS"); do
  line=$(java -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -Dendpoints="$ENDPOINTS" -cp "$CP" io.weft.agent.AgentConvergeBench | tail -1)
  echo "run $run: $line"
  for k in $keys; do all[$k]="${all[$k]:-} $(echo "$line" | field "$k")"; done
done
summary="runs=$RUNS endpoints=$ENDPOINTS"
for k in $keys; do
  summary="$summary $k=$(printf '%s\n' ${all[$k]} | median | xargs printf '%.2f')"
done
p99=$(printf '%s\n' ${all[endpoint_p99_ms]} | median)
printf 'bench agent-converge: %s ratio=%.2f\n' "$summary" "$(echo "$p99 / 50" | bc -l)"
