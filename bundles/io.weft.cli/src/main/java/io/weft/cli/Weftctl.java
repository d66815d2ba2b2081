package io.weft.cli;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;

/**
 * weftctl: calicoctl's resource verbs, {@code ipam} commands and {@code node status} from the shell. It reads
 * {@code -f} and {@code --from-report} files and writes {@code ipam check -o} reports on the
 * caller's side, and sends the command to the node runtime's admin socket ({@code WEFT_ADMIN_SOCKET}, default
 * {@code /var/run/weft/admin.sock}), which runs it against the node's datastore. Needs only the
 * JDK: started by {@code bin/weftctl} with this bundle's jar as class path.
 */
public final class Weftctl {
    private Weftctl() {
    }

    public static void main(String[] argv) {
        System.exit(run(List.of(argv), System.getenv().getOrDefault("WEFT_ADMIN_SOCKET", "/var/run/weft/admin.sock")));
    }

    static int run(List<String> args, String socket) {
        return run(args, socket, System.getenv());
    }

    static int run(List<String> args, String socket, java.util.Map<String, String> env) {
        if (args.isEmpty() || args.contains("-h") || args.contains("--help")) {
            System.out.print(CtlCommandLine.USAGE);
            return args.isEmpty() ? 1 : 0;
        }
        Object direct;
        try {
            direct = directSettings(env);
        } catch (IOException e) {
            System.err.println("weftctl: " + e.getMessage());
            return 1;
        }
        String input;
        String report = null;
        List<String> sent = args;
        try {
            CtlCommandLine line = CtlCommandLine.parse(args);
            input = readInput(line.inputFile());
            if (line.writesReport()) {
                // the node returns the report on stdout and the findings on stderr; the file is ours to write
                report = line.output();
                sent = List.of("ipam", "check", "--show-report");
            }
        } catch (IllegalArgumentException | IOException e) {
            System.err.println("weftctl: " + e.getMessage());
            return 1;
        }
        if (direct != null) {
            // calicoctl's etcdv3 mode: straight to etcd, no node needed
            ResourceCommands.Outcome reply = io.weft.cli.direct.DirectDatastore.run(
                    (io.weft.cli.direct.DirectDatastore.Settings) direct, sent, input);
            if (report != null && reply.exitCode() == 0) {
                return writeReport(report, reply);
            }
            System.out.print(reply.out());
            System.err.print(reply.err());
            return reply.exitCode();
        }
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            channel.connect(UnixDomainSocketAddress.of(socket));
            DataOutputStream out = new DataOutputStream(Channels.newOutputStream(channel));
            AdminProtocol.writeRequest(out, sent, input);
            ResourceCommands.Outcome reply = AdminProtocol.readReply(new DataInputStream(Channels.newInputStream(channel)));
            if (report != null && reply.exitCode() == 0) {
                return writeReport(report, reply);
            }
            System.out.print(reply.out());
            System.err.print(reply.err());
            return reply.exitCode();
        } catch (IOException e) {
            System.err.println("weftctl: cannot reach the Weft node at " + socket + ": " + e.getMessage()
                    + "\nIs the node running (bin/start, or systemctl start weft), and are you root?"
                    + " Set WEFT_ADMIN_SOCKET if it listens elsewhere.");
            return 1;
        }
    }

    /**
     * The direct-mode settings when DATASTORE_TYPE (or the config file) asks for etcd, else null:
     * the embedded datastore is reached through the node. Loaded only when asked for, so the
     * socket mode needs nothing but this bundle on the class path.
     */
    private static Object directSettings(java.util.Map<String, String> env) throws IOException {
        String type = env.get("DATASTORE_TYPE");
        boolean maybe = (type != null && !type.isBlank()) || env.containsKey("WEFTCTL_CONFIG")
                || Files.isReadable(Path.of("/etc/weft/weftctl.cfg"));
        if (!maybe) {
            return null;
        }
        io.weft.cli.direct.DirectDatastore.Settings settings = io.weft.cli.direct.DirectDatastore.settings(env);
        return settings.direct() ? settings : null;
    }

    private static int writeReport(String file, ResourceCommands.Outcome reply) {
        System.out.print(reply.err());
        try {
            Files.writeString(Path.of(file), reply.out(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            System.err.println("weftctl: cannot write the report to " + file + ": " + e);
            return 1;
        }
        System.out.println("Report written to " + file);
        return 0;
    }

    private static String readInput(String file) throws IOException {
        if (file == null) {
            return null;
        }
        if (file.equals("-")) {
            return new String(System.in.readAllBytes(), StandardCharsets.UTF_8);
        }
        try {
            return Files.readString(Path.of(file), StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new IOException("no such file: " + file);
        }
    }
}
