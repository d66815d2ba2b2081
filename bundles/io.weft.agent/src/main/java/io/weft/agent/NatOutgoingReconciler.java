package io.weft.agent;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import io.weft.api.net.Cidr;
import io.weft.netlink.Netns;

/**
 * natOutgoing: masquerades traffic from pools with {@code natOutgoing: true} to destinations
 * outside every pool, in an nftables table of its own ({@code ip weft}), so it never touches the
 * host's other rules. The table is replaced in one nft transaction (create-if-missing, delete,
 * create), so there is no moment without the rule; existing connections keep their conntrack
 * NAT bindings. Programmed with the {@code nft} command (Debian package {@code nftables}).
 */
final class NatOutgoingReconciler {

    static final String TABLE = "weft";

    private final Netns netns;
    private String applied;
    private boolean tableMayExist = true;

    NatOutgoingReconciler(Netns netns) {
        this.netns = netns;
    }

    /** The nft script for the pools; pure, so it is unit-tested. Empty when no pool masquerades. */
    static String render(List<Cidr> allPools, List<Cidr> natPools) {
        if (natPools.isEmpty()) {
            return "";
        }
        return "table ip " + TABLE + " {}\n"
                + "delete table ip " + TABLE + "\n"
                + "table ip " + TABLE + " {\n"
                + "  set all-pools { type ipv4_addr; flags interval; elements = { " + join(allPools) + " } }\n"
                + "  set nat-outgoing-pools { type ipv4_addr; flags interval; elements = { " + join(natPools) + " } }\n"
                + "  chain nat-outgoing {\n"
                + "    type nat hook postrouting priority srcnat; policy accept;\n"
                + "    ip saddr @nat-outgoing-pools ip daddr != @all-pools masquerade\n"
                + "  }\n"
                + "}\n";
    }

    private static String join(List<Cidr> cidrs) {
        return cidrs.stream().sorted().distinct().map(Cidr::toString).collect(Collectors.joining(", "));
    }

    /**
     * Makes the table match the pools. {@code full}: re-applies even when nothing changed, which
     * repairs a table edited or flushed by hand. Returns errors (empty when fine).
     */
    List<String> apply(List<Cidr> allPools, List<Cidr> natPools, boolean full) {
        String script = render(allPools, natPools);
        List<String> errors = new ArrayList<>();
        if (script.isEmpty()) {
            if (tableMayExist) {
                try {
                    nft("table ip " + TABLE + " {}\ndelete table ip " + TABLE + "\n");
                    tableMayExist = false;
                } catch (NftMissingException e) {
                    tableMayExist = false; // no nft, so no table of ours either
                } catch (IOException e) {
                    errors.add(e.getMessage());
                }
            }
            applied = null;
            return errors;
        }
        if (!full && script.equals(applied)) {
            return errors;
        }
        try {
            tableMayExist = true;
            nft(script);
            applied = script;
        } catch (IOException e) {
            applied = null;
            errors.add(e.getMessage());
        }
        return errors;
    }

    private static final class NftMissingException extends IOException {
        private static final long serialVersionUID = 1L;

        NftMissingException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private void nft(String script) throws IOException {
        List<String> command = new ArrayList<>();
        if (netns.path() != null) {
            command.add("nsenter");
            command.add("--net=" + netns.path());
        }
        command.addAll(List.of("nft", "-f", "-"));
        Process p;
        try {
            p = new ProcessBuilder(command).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new NftMissingException("natOutgoing needs the nft command (Debian package nftables): "
                    + e.getMessage(), e);
        }
        try (OutputStream in = p.getOutputStream()) {
            in.write(script.getBytes(StandardCharsets.UTF_8));
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        try {
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException("natOutgoing: nft did not finish within 10 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("natOutgoing: interrupted while nft ran", e);
        }
        if (p.exitValue() != 0) {
            throw new IOException("natOutgoing: nft refused table ip " + TABLE + ": " + out);
        }
    }
}
