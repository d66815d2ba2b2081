package io.weft.agent;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Network namespaces made with iproute2 as an operator would, and the commands tests check the
 * kernel with. Needs root; without it every lab test is skipped with a loud reason.
 */
final class Lab implements AutoCloseable {

    private final String prefix;
    private final List<String> created = new ArrayList<>();

    Lab(String tag) {
        boolean root = "root".equals(System.getProperty("user.name"));
        if (!root) {
            System.err.println("*** SKIPPING agent lab tests: they create network namespaces and need root"
                    + " (run the build as root, as CI does) ***");
        }
        assumeTrue(root, "agent lab tests need root to create network namespaces");
        prefix = tag + ProcessHandle.current().pid() % 100000 + "-";
    }

    /** Creates a namespace with loopback up; returns its full name. */
    String netns(String shortName) {
        String name = prefix + shortName;
        run("ip", "netns", "add", name);
        created.add(name);
        run("ip", "-n", name, "link", "set", "lo", "up");
        return name;
    }

    record Result(int exit, String out) {
    }

    static Result exec(String... command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError(String.join(" ", command) + " timed out");
            }
            return new Result(p.exitValue(), out);
        } catch (IOException e) {
            throw new AssertionError("cannot run " + command[0] + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    static String run(String... command) {
        Result r = exec(command);
        if (r.exit() != 0) {
            throw new AssertionError(String.join(" ", command) + " exited " + r.exit() + ": " + r.out());
        }
        return r.out();
    }

    static String ip(String ns, String... args) {
        String[] cmd = new String[args.length + 3];
        cmd[0] = "ip";
        cmd[1] = "-n";
        cmd[2] = ns;
        System.arraycopy(args, 0, cmd, 3, args.length);
        return run(cmd);
    }

    static List<String> lines(String out) {
        return out.lines().map(String::stripTrailing).filter(l -> !l.isBlank()).toList();
    }

    /** The agent's routes as {@code ip route} prints them, sorted. */
    static List<String> agentRoutes(String ns) {
        return lines(ip(ns, "route", "show")).stream().filter(l -> l.contains(" proto 80")).sorted().toList();
    }

    /** Whether {@code ping} from {@code podNs} reaches {@code address}. */
    static boolean pings(String podNs, String address) {
        return exec("ip", "netns", "exec", podNs, "ping", "-c", "3", "-i", "0.2", "-W", "1", address)
                .exit() == 0; // exit 0: at least one reply
    }

    /** Polls until {@code actual} equals {@code expected}, then returns; fails with both after {@code millis}. */
    static <T> long await(long millis, T expected, Supplier<T> actual) throws InterruptedException {
        long start = System.nanoTime();
        long deadline = start + TimeUnit.MILLISECONDS.toNanos(millis);
        T last = actual.get();
        while (!expected.equals(last)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("after " + millis + " ms expected\n  " + expected + "\nbut was\n  " + last);
            }
            Thread.sleep(20);
            last = actual.get();
        }
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    }

    @Override
    public void close() {
        for (String ns : created) {
            exec("ip", "netns", "del", ns);
        }
    }
}
