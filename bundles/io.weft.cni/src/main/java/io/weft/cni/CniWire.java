package io.weft.cni;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

import io.weft.api.cni.CniResponse;

/**
 * The shim's wire format (runtime/cni-shim/README.md). All integers are unsigned 32-bit big-endian.
 *
 * <pre>
 * request:  magic "WCN1", envCount, envCount × (len, "NAME=value"), stdinLen, stdin
 * response: exitCode, stdoutLen, stdout, stderrLen, stderr
 * </pre>
 *
 * A fixed binary frame keeps the C shim free of any JSON handling: it copies bytes.
 */
final class CniWire {

    static final int MAGIC = 0x57434E31; // "WCN1"
    private static final int MAX_ENV_ENTRIES = 256;

    /** What the shim sent: its CNI_* environment and stdin, unparsed. */
    record Request(Map<String, String> env, byte[] stdin) {
    }

    /** The frame is not what the shim sends, or larger than allowed. */
    static final class BadFrameException extends IOException {
        BadFrameException(String message) {
            super(message);
        }
    }

    private CniWire() {
    }

    /** Reads one request, refusing more than {@code maxBytes} of environment plus stdin. */
    static Request readRequest(DataInputStream in, int maxBytes) throws IOException {
        int magic;
        try {
            magic = in.readInt();
        } catch (EOFException e) {
            throw new BadFrameException("empty request (is this the weft CNI shim?)");
        }
        if (magic != MAGIC) {
            throw new BadFrameException(String.format("bad magic 0x%08x (expected 0x%08x from the weft CNI shim)", magic, MAGIC));
        }
        long budget = maxBytes;
        int envCount = in.readInt();
        if (envCount < 0 || envCount > MAX_ENV_ENTRIES) {
            throw new BadFrameException("environment of " + Integer.toUnsignedString(envCount) + " variables (at most "
                    + MAX_ENV_ENTRIES + ")");
        }
        Map<String, String> env = new LinkedHashMap<>();
        for (int i = 0; i < envCount; i++) {
            byte[] entry = readBlock(in, budget, "environment");
            budget -= entry.length;
            String text = new String(entry, StandardCharsets.UTF_8);
            int eq = text.indexOf('=');
            if (eq <= 0) {
                throw new BadFrameException("environment entry without NAME=: '" + text + "'");
            }
            env.put(text.substring(0, eq), text.substring(eq + 1));
        }
        byte[] stdin = readBlock(in, budget, "network configuration");
        return new Request(env, stdin);
    }

    private static byte[] readBlock(DataInputStream in, long budget, String what) throws IOException {
        int len = in.readInt();
        if (len < 0 || len > budget) {
            throw new BadFrameException("request too large: " + what + " of " + Integer.toUnsignedString(len)
                    + " bytes exceeds the " + budget + " bytes left of the limit (maxRequestBytes in etc/io.weft.cni.cfg)");
        }
        byte[] data = new byte[len];
        in.readFully(data);
        return data;
    }

    static void writeRequest(DataOutputStream out, Map<String, String> env, byte[] stdin) throws IOException {
        out.writeInt(MAGIC);
        out.writeInt(env.size());
        for (Map.Entry<String, String> e : env.entrySet()) {
            byte[] entry = (e.getKey() + "=" + e.getValue()).getBytes(StandardCharsets.UTF_8);
            out.writeInt(entry.length);
            out.write(entry);
        }
        out.writeInt(stdin.length);
        out.write(stdin);
        out.flush();
    }

    static void writeResponse(DataOutputStream out, CniResponse response) throws IOException {
        out.writeInt(response.exitCode());
        out.writeInt(response.stdout().length);
        out.write(response.stdout());
        out.writeInt(response.stderr().length);
        out.write(response.stderr());
        out.flush();
    }

    static CniResponse readResponse(DataInputStream in) throws IOException {
        int exit = in.readInt();
        byte[] stdout = new byte[in.readInt()];
        in.readFully(stdout);
        byte[] stderr = new byte[in.readInt()];
        in.readFully(stderr);
        return new CniResponse(exit, stdout, stderr);
    }
}
