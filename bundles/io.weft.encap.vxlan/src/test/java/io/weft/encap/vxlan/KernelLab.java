package io.weft.encap.vxlan;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Network namespaces made with iproute2 for the kernel tests; needs root, else skips loudly. */
final class KernelLab implements AutoCloseable {

    private static final String PREFIX = "wvx" + ProcessHandle.current().pid() % 100000 + "-";
    private final List<String> created = new ArrayList<>();

    KernelLab() {
        boolean root = "root".equals(System.getProperty("user.name"));
        if (!root) {
            System.err.println("*** SKIPPING VXLAN kernel tests: they create network namespaces and need root ***");
        }
        assumeTrue(root, "VXLAN kernel tests need root to create network namespaces");
    }

    String netns(String shortName) {
        String name = PREFIX + shortName;
        run("ip", "netns", "add", name);
        created.add(name);
        run("ip", "-n", name, "link", "set", "lo", "up");
        return name;
    }

    static String run(String... command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError(String.join(" ", command) + " timed out");
            }
            if (p.exitValue() != 0) {
                throw new AssertionError(String.join(" ", command) + " exited " + p.exitValue() + ": " + out);
            }
            return out;
        } catch (IOException e) {
            throw new AssertionError("cannot run " + command[0] + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    static List<String> lines(String out) {
        return out.lines().map(String::stripTrailing).filter(l -> !l.isBlank()).toList();
    }

    @Override
    public void close() {
        for (String ns : created) {
            try {
                run("ip", "netns", "del", ns);
            } catch (AssertionError e) {
                System.err.println("cleanup: " + e.getMessage());
            }
        }
    }
}
