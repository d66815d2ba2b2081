package io.weft.cli;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The admin socket's framing, shared by weftctl and the node: a request is the magic, the
 * arguments and the optional {@code -f} content; a reply is the exit code, stdout and stderr.
 */
final class AdminProtocol {
    static final int MAGIC = 0x57435431; // "WCT1"
    /** Larger inputs are refused: a resource file is kilobytes, not megabytes. */
    static final int MAX_INPUT = 16 << 20;

    private AdminProtocol() {
    }

    record Request(List<String> args, String input) {
    }

    static void writeRequest(DataOutputStream out, List<String> args, String input) throws IOException {
        out.writeInt(MAGIC);
        out.writeInt(args.size());
        for (String a : args) {
            writeString(out, a);
        }
        out.writeBoolean(input != null);
        if (input != null) {
            writeString(out, input);
        }
        out.flush();
    }

    static Request readRequest(DataInputStream in) throws IOException {
        if (in.readInt() != MAGIC) {
            throw new IOException("not a weftctl request");
        }
        int argc = in.readInt();
        if (argc < 0 || argc > 1000) {
            throw new IOException("bad argument count " + argc);
        }
        List<String> args = new ArrayList<>(argc);
        for (int i = 0; i < argc; i++) {
            args.add(readString(in));
        }
        String input = in.readBoolean() ? readString(in) : null;
        return new Request(args, input);
    }

    static void writeReply(DataOutputStream out, int exit, String stdout, String stderr) throws IOException {
        out.writeInt(exit);
        writeString(out, stdout);
        writeString(out, stderr);
        out.flush();
    }

    static ResourceCommands.Outcome readReply(DataInputStream in) throws IOException {
        int exit = in.readInt();
        return new ResourceCommands.Outcome(exit, readString(in), readString(in));
    }

    private static void writeString(DataOutputStream out, String s) throws IOException {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        out.writeInt(b.length);
        out.write(b);
    }

    private static String readString(DataInputStream in) throws IOException {
        int len = in.readInt();
        if (len < 0 || len > MAX_INPUT) {
            throw new IOException("input of " + len + " bytes is over the " + (MAX_INPUT >> 20) + " MiB limit");
        }
        byte[] b = new byte[len];
        in.readFully(b);
        return new String(b, StandardCharsets.UTF_8);
    }
}
