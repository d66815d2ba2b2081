# Shared by the netlink benchmarks: the classpath of the netlink bundle (built by
# `mvn install -DskipTests`), medians, and namespace clean-up. Sourced, not run.
root=$(pwd)
[ -f "$root/bundles/io.weft.netlink/target/io.weft.netlink-0.1.0-SNAPSHOT.jar" ] || {
  echo "build first: mvn install -DskipTests (from the repository root)" >&2; exit 1; }
[ "$(id -u)" = 0 ] || { echo "the netlink benchmarks create network namespaces: run as root" >&2; exit 1; }
source "$root/integration-tests/bench/lib.sh"
CP="$root/bundles/io.weft.netlink/target/io.weft.netlink-0.1.0-SNAPSHOT.jar:$(module_classpath "$root/bundles/io.weft.netlink")"
bench_java() { java -cp "$CP" "$root/integration-tests/bench/NetlinkBench.java" "$@"; }
