package io.weft.netlink;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Real network namespaces for tests, made with iproute2 exactly as an operator would, and the
 * {@code ip}/{@code bridge} commands tests use to check what the kernel shows. Needs root;
 * without it the tests are skipped with a loud reason. Shared with other modules through this
 * bundle's test-jar.
 */
public final class NetnsLab implements AutoCloseable {

    private static final String PREFIX = "wnl" + ProcessHandle.current().pid() % 100000 + "-";
    private final List<String> created = new ArrayList<>();

    public NetnsLab() {
        boolean root = "root".equals(System.getProperty("user.name"));
        if (!root) {
            System.err.println("*** SKIPPING netlink kernel tests: they create network namespaces and need root"
                    + " (run the build as root, as CI does) ***");
        }
        assumeTrue(root, "netlink kernel tests need root to create network namespaces");
    }

    /** Creates a namespace with loopback up; returns its name. */
    public String netns(String shortName) {
        String name = PREFIX + shortName;
        run("ip", "netns", "add", name);
        created.add(name);
        run("ip", "-n", name, "link", "set", "lo", "up");
        return name;
    }

    /** Runs a command, failing the test with its output if it fails; returns stdout. */
    public static String run(String... command) {
        Result r = exec(command);
        if (r.exit != 0) {
            throw new AssertionError(String.join(" ", command) + " exited " + r.exit + ": " + r.out);
        }
        return r.out;
    }

    public record Result(int exit, String out) {
    }

    public static Result exec(String... command) {
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

    /** {@code ip -n NS ARGS…} */
    public static String ip(String ns, String... args) {
        String[] cmd = new String[args.length + 3];
        cmd[0] = "ip";
        cmd[1] = "-n";
        cmd[2] = ns;
        System.arraycopy(args, 0, cmd, 3, args.length);
        return run(cmd);
    }

    /** Output lines with trailing spaces removed, as tests compare them. */
    public static List<String> lines(String out) {
        List<String> lines = new ArrayList<>();
        for (String l : out.split("\n")) {
            if (!l.isBlank()) {
                lines.add(l.stripTrailing());
            }
        }
        return lines;
    }

    @Override
    public void close() {
        for (String ns : created) {
            exec("ip", "netns", "del", ns);
        }
    }
}
