package io.weft.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.weft.codec.internal.JacksonResourceCodec;
import io.weft.core.DatastoreResourceStore;
import io.weft.datastore.memory.MemoryDatastore;

/** weftctl against a real admin socket: apply a file, read it back, and a clear error when no node listens. */
class WeftctlTest {

    @Test
    void weftctlAppliesAndGetsThroughTheAdminSocket(@TempDir Path dir) throws Exception {
        Path socket = dir.resolve("run/admin.sock");
        Path file = dir.resolve("pool.yaml");
        Files.writeString(file, ResourceCommandsTest.SEED_POOL);
        try (MemoryDatastore datastore = new MemoryDatastore()) {
            JacksonResourceCodec codec = new JacksonResourceCodec();
            AdminSocketServer server = new AdminSocketServer(socket,
                    new DatastoreResourceStore(datastore, codec, Clock.systemUTC()), codec);
            try {
                assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(socket)),
                        "root-only socket");
                assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(socket.getParent())));
                String[] applied = capture(() -> Weftctl.run(List.of("apply", "-f", file.toString()), socket.toString()));
                assertEquals("0|Successfully applied 1 'IPPool' resource(s)\n|", applied[0] + "|" + applied[1] + "|" + applied[2]);
                String[] got = capture(() -> Weftctl.run(List.of("get", "ippool", "-o", "wide"), socket.toString()));
                assertTrue(got[1].contains("default-ipv4-ippool   10.244.0.0/16   true   Always"), got[1]);
                String[] bad = capture(() -> Weftctl.run(List.of("get"), socket.toString()));
                assertEquals("1", bad[0]);
                assertTrue(bad[2].contains("get needs a KIND"), bad[2]);
            } finally {
                server.close();
            }
        }
        String[] down = capture(() -> Weftctl.run(List.of("get", "ippool"), socket.toString()));
        assertEquals("1", down[0]);
        assertTrue(down[2].contains("cannot reach the Weft node at " + socket), down[2]);
    }

    interface Run {
        int run();
    }

    /** exit code, stdout, stderr of one weftctl run. */
    static synchronized String[] capture(Run r) {
        PrintStream out = System.out;
        PrintStream err = System.err;
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
        try {
            int code = r.run();
            return new String[] {Integer.toString(code), o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8)};
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
    }
}
