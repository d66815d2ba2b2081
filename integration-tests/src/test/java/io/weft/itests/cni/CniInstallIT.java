package io.weft.itests.cni;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assume.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.After;
import org.junit.Before;
import org.junit.BeforeClass;
import org.junit.Test;

/**
 * weft-cni-install (runtime/cni-shim/) as an operator runs it: into temporary CNI bin and conf
 * dirs, then read back by libcni (the driver), and refusing bad input without writing anything.
 */
public class CniInstallIT {
    private static final Path SHIM_SOURCE = Path.of(System.getProperty("user.dir")).resolveSibling("runtime/cni-shim");
    private static Path shim;

    private Path dir;
    private Path binDir;
    private Path confDir;

    @BeforeClass
    public static void buildShim() {
        assumeTrue("the CNI shim is C: apt-get install gcc make libc6-dev", CniDriver.onPath("make") && CniDriver.onPath("gcc"));
        Path out = Path.of(System.getProperty("user.dir"), "target/cni-shim");
        CniDriver.exec(new ProcessBuilder("make", "--no-print-directory", "-C", SHIM_SOURCE.toString(), "OUT=" + out),
                2, TimeUnit.MINUTES).orFail();
        shim = out.resolve("weft");
    }

    @Before
    public void setUp() throws IOException {
        dir = Files.createTempDirectory("weft-cni-install-test");
        binDir = Files.createDirectory(dir.resolve("bin"));
        confDir = Files.createDirectory(dir.resolve("net.d"));
    }

    @After
    public void tearDown() throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted((a, b) -> b.compareTo(a)).forEach(p -> p.toFile().delete());
        }
    }

    private CniDriver.Outcome install(String... options) {
        List<String> command = new java.util.ArrayList<>(List.of(SHIM_SOURCE.resolve("weft-cni-install").toString(),
                "--shim", shim.toString()));
        command.addAll(List.of(options));
        return CniDriver.exec(new ProcessBuilder(command), 1, TimeUnit.MINUTES);
    }

    private List<String> listing(Path directory) throws IOException {
        try (Stream<Path> files = Files.list(directory)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    public void installsTheShimAndAConflistLibcniReads() throws Exception {
        Files.copy(Path.of("/usr/lib/cni/portmap"), binDir.resolve("portmap"));
        CniDriver.Outcome installed = install("--bin-dir", binDir.toString(), "--conf-dir", confDir.toString(),
                "--nodename", "node-1.example", "--mtu", "1450", "--log-level", "warning").orFail();
        assertTrue(installed.stdout(), installed.stdout().contains("installed " + binDir.resolve("weft")));

        assertEquals(List.of("portmap", "weft"), listing(binDir));
        assertEquals(List.of("10-weft.conflist"), listing(confDir));
        assertEquals("installed shim differs from the built one", -1L, Files.mismatch(shim, binDir.resolve("weft")));
        assertEquals("rwxr-xr-x", PosixFilePermissions.toString(Files.getPosixFilePermissions(binDir.resolve("weft"))));
        // Debian's portmap 1.1.1 speaks up to CNI 1.0.0, so the conflist says 1.0.0
        assertEquals("""
                {
                  "name": "k8s-pod-network",
                  "cniVersion": "1.0.0",
                  "plugins": [
                    {
                      "type": "weft",
                      "log_level": "warning",
                      "nodename": "node-1.example",
                      "mtu": 1450,
                      "ipam": {
                        "type": "weft"
                      }
                    },
                    {
                      "type": "portmap",
                      "snat": true,
                      "capabilities": {
                        "portMappings": true
                      }
                    }
                  ]
                }
                """, Files.readString(confDir.resolve("10-weft.conflist")));

        // libcni parses it and finds both plugins in the bin dir (STATUS below 1.1.0 calls nothing,
        // so this is the parse and plugin lookup a container runtime does at start)
        assumeTrue("Go is needed to read the conflist through libcni", CniDriver.onPath("go"));
        new CniDriver(List.of(binDir), dir.resolve("cache"), Map.of()).status(confDir.resolve("10-weft.conflist")).orFail();
    }

    @Test
    public void reinstallReplacesInPlace() throws Exception {
        install("--bin-dir", binDir.toString(), "--conf-dir", confDir.toString(), "--nodename", "a").orFail();
        install("--bin-dir", binDir.toString(), "--conf-dir", confDir.toString(), "--nodename", "b").orFail();
        assertEquals(List.of("weft"), listing(binDir));
        assertTrue(Files.readString(confDir.resolve("10-weft.conflist")).contains("\"nodename\": \"b\""));
    }

    @Test
    public void refusesMissingDirectoriesAndWritesNothing() throws Exception {
        CniDriver.Outcome noBin = install("--bin-dir", dir.resolve("missing-bin").toString(), "--conf-dir", confDir.toString());
        assertEquals(1, noBin.exitCode());
        assertEquals("weft-cni-install: CNI bin dir " + dir.resolve("missing-bin") + " does not exist: create it (mkdir -p "
                + dir.resolve("missing-bin") + ") or pass --bin-dir DIR\n", noBin.stderr());
        CniDriver.Outcome noConf = install("--bin-dir", binDir.toString(), "--conf-dir", dir.resolve("missing-conf").toString());
        assertEquals(1, noConf.exitCode());
        assertTrue(noConf.stderr(), noConf.stderr().contains("CNI conf dir " + dir.resolve("missing-conf") + " does not exist"));
        assertEquals(List.of(), listing(binDir));
        assertEquals(List.of(), listing(confDir));
    }

    @Test
    public void refusesBadValuesNamingTheOption() throws Exception {
        String[][] cases = {
            {"--mtu", "15OO", "--mtu '15OO' is not a number (68-65535)"},
            {"--mtu", "70000", "--mtu 70000 is out of range 68-65535"},
            {"--nodename", "Node_1", "node name 'Node_1' is not a Kubernetes node name"},
            {"--log-level", "verbose", "--log-level 'verbose' is not one of debug, info, warning, error"},
            {"--cni-version", "2.0.0", "--cni-version '2.0.0' is not one of"},
            {"--color", "x", "unknown option '--color'"},
        };
        for (String[] c : cases) {
            CniDriver.Outcome refused = install("--bin-dir", binDir.toString(), "--conf-dir", confDir.toString(),
                    "--nodename", "n1", c[0], c[1]);
            assertEquals(c[0] + " " + c[1], 1, refused.exitCode());
            assertTrue(refused.stderr(), refused.stderr().contains(c[2]));
        }
        assertEquals(List.of(), listing(binDir));
        assertEquals(List.of(), listing(confDir));
    }

    @Test
    public void warnsWhenAnotherConfigurationComesFirst() throws Exception {
        Files.writeString(confDir.resolve("05-other.conflist"), "{}");
        CniDriver.Outcome installed = install("--bin-dir", binDir.toString(), "--conf-dir", confDir.toString(),
                "--nodename", "n1").orFail();
        assertTrue(installed.stderr(), installed.stderr().contains(confDir.resolve("05-other.conflist")
                + " sorts before 10-weft.conflist, and container runtimes use the first file"));
        assertFalse(installed.stderr(), installed.stderr().contains("90-"));
    }
}
