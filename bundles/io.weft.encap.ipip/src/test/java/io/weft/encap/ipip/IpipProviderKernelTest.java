package io.weft.encap.ipip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import io.weft.api.encap.DataplaneException;
import io.weft.api.encap.EncapsulationTarget;
import io.weft.api.encap.LocalNode;
import io.weft.api.net.Cidr;
import io.weft.api.net.PrefixedAddress;
import io.weft.netlink.Netns;

/**
 * The provider against this machine's kernel. Where the kernel has no ipip module (this lab's),
 * reconcile must fail with a message that says so and leave nothing behind; where it has one,
 * tunl0 must carry the MTU and tunnel address.
 */
class IpipProviderKernelTest {

    private static String run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor(30, TimeUnit.SECONDS);
        if (p.exitValue() != 0) {
            throw new AssertionError(String.join(" ", command) + " exited " + p.exitValue() + ": " + out);
        }
        return out;
    }

    @Test
    void tunl0IsProgrammedOrTheMissingModuleIsNamed() throws Exception {
        boolean root = "root".equals(System.getProperty("user.name"));
        if (!root) {
            System.err.println("*** SKIPPING IPIP kernel test: it creates a network namespace and needs root ***");
        }
        assumeTrue(root, "IPIP kernel test needs root to create a network namespace");
        String ns = "wip" + ProcessHandle.current().pid() % 100000;
        run("ip", "netns", "add", ns);
        IpipProvider provider = new IpipProvider(Netns.named(ns));
        try {
            run("ip", "-n", ns, "link", "add", "uplink", "type", "veth", "peer", "name", "peer");
            run("ip", "-n", ns, "link", "set", "uplink", "up");
            run("ip", "-n", ns, "addr", "add", "192.168.3.128/24", "dev", "uplink");
            EncapsulationTarget target = new EncapsulationTarget(new LocalNode("master",
                    PrefixedAddress.parse("192.168.3.128/24"), "uplink", 1500, Cidr.parseAddress("10.244.219.64"), null),
                    List.of());
            boolean kernelHasIpip = java.nio.file.Files.exists(java.nio.file.Path.of("/sys/module/ipip"));
            if (!kernelHasIpip) {
                DataplaneException e = assertThrows(DataplaneException.class, () -> provider.reconcile(target));
                assertEquals("IPIP: link add tunl0 type ipip (netns /var/run/netns/" + ns
                        + "): EOPNOTSUPP (Operation not supported): kernel has no ipip support (load the ipip module,"
                        + " or use VXLAN encapsulation)", e.getMessage());
                assertEquals("", run("ip", "-n", ns, "link", "show", "type", "ipip").trim());
            } else {
                provider.reconcile(target);
                String link = run("ip", "-n", ns, "link", "show", "tunl0");
                assertTrue(link.contains("mtu 1480"), link);
                assertTrue(run("ip", "-n", ns, "addr", "show", "dev", "tunl0").contains("inet 10.244.219.64/32"));
            }
        } finally {
            provider.close();
            run("ip", "netns", "del", ns);
        }
    }
}
