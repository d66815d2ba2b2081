package io.weft.itests.karaf;

import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.fail;
import static org.ops4j.pax.exam.CoreOptions.mavenBundle;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.configureConsole;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.editConfigurationFilePut;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.karafDistributionConfiguration;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.logLevel;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

import javax.inject.Inject;

import org.apache.karaf.features.FeaturesService;
import org.apache.karaf.shell.api.console.Session;
import org.apache.karaf.shell.api.console.SessionFactory;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.karaf.options.LogLevelOption.LogLevel;
import org.ops4j.pax.exam.options.extra.VMOption;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.runtime.ServiceComponentRuntime;
import org.osgi.service.component.runtime.dto.ComponentConfigurationDTO;
import org.osgi.service.component.runtime.dto.ComponentDescriptionDTO;

/**
 * Boots the real Weft distribution (the tar.gz the build just made) in Pax Exam's Karaf
 * container, and gives tests the console and the service registry, as an operator has them.
 */
public abstract class WeftKarafTestSupport {

    static final Duration WAIT = Duration.ofSeconds(60);

    @Inject
    protected BundleContext bundleContext;

    @Inject
    protected SessionFactory sessionFactory;

    @Inject
    protected FeaturesService featuresService;

    @Inject
    protected ServiceComponentRuntime scr;

    @Configuration
    public Option[] config() {
        String distribution = System.getProperty("weft.distribution");
        if (distribution == null || !new File(distribution).isFile()) {
            throw new IllegalStateException("weft.distribution must name the built distribution tar.gz (was "
                    + distribution + "); run the build from the repository root: mvn verify");
        }
        String karafVersion = System.getProperty("karaf.version");
        String localRepository = System.getProperty("maven.repo.local",
                System.getProperty("user.home") + "/.m2/repository");
        List<Option> options = new ArrayList<>(List.of(
                karafDistributionConfiguration()
                        .frameworkUrl("file:" + distribution)
                        .name("Weft")
                        .unpackDirectory(new File("target/exam"))
                        .useDeployFolder(false),
                configureConsole().ignoreLocalConsole(),
                logLevel(LogLevel.INFO),
                // the probe's own bundles come from the build's local repository
                editConfigurationFilePut("etc/org.ops4j.pax.url.mvn.cfg",
                        "org.ops4j.pax.url.mvn.localRepository", localRepository),
                editConfigurationFilePut("etc/org.apache.karaf.features.cfg", "updateSnapshots", "none"),
                // weftctl's socket inside the build tree, so a node running on the machine is left alone
                editConfigurationFilePut("etc/io.weft.admin.cfg", "path",
                        new File("target/exam-" + getClass().getSimpleName() + ".sock").getAbsolutePath()),
                // the CNI socket too; the agent's health endpoint off (a node on this machine may hold :9099)
                editConfigurationFilePut("etc/io.weft.cni.cfg", "socketPath",
                        new File("target/exam-" + getClass().getSimpleName() + "-cni.sock").getAbsolutePath()),
                editConfigurationFilePut("etc/io.weft.agent.cfg", "healthPort", "0"),
                // this kernel has no ipip: a first-start pool without encapsulation keeps the node UP and
                // creates no tunnel device on the machine the tests run on
                editConfigurationFilePut("etc/io.weft.bootstrap.cfg", "ipv4PoolIpip", "Never"),
                // the BGP speaker configured but not listening (port 0), so its component is satisfied
                editConfigurationFilePut("etc/io.weft.bgp.cfg", "routerId", "192.0.2.1"),
                editConfigurationFilePut("etc/io.weft.bgp.cfg", "port", "0"),
                mavenBundle("org.apache.servicemix.bundles", "org.apache.servicemix.bundles.javax-inject", "1_3")));
        // what bin/karaf passes on JDK 9+, which Pax Exam's launcher does not add itself
        for (String option : new String[] {
                "--add-reads=java.xml=java.logging",
                "--add-exports=java.base/org.apache.karaf.specs.locator=java.xml,ALL-UNNAMED",
                "--patch-module", "java.base=lib/endorsed/org.apache.karaf.specs.locator-" + karafVersion + ".jar",
                "--patch-module", "java.xml=lib/endorsed/org.apache.karaf.specs.java.xml-" + karafVersion + ".jar",
                "--add-opens", "java.base/java.security=ALL-UNNAMED",
                "--add-opens", "java.base/java.net=ALL-UNNAMED",
                "--add-opens", "java.base/java.lang=ALL-UNNAMED",
                "--add-opens", "java.base/java.util=ALL-UNNAMED",
                "--add-opens", "java.naming/javax.naming.spi=ALL-UNNAMED",
                "--add-opens", "java.rmi/sun.rmi.transport.tcp=ALL-UNNAMED",
                "--add-exports=java.base/sun.net.www.protocol.file=ALL-UNNAMED",
                "--add-exports=java.base/sun.net.www.protocol.jar=ALL-UNNAMED",
                "--add-exports=java.base/sun.net.www.content.text=ALL-UNNAMED",
                "--add-exports=jdk.naming.rmi/com.sun.jndi.url.rmi=ALL-UNNAMED",
                "--add-exports=java.rmi/sun.rmi.registry=ALL-UNNAMED",
                "-classpath", "lib/jdk9plus/*" + File.pathSeparator + "lib/boot/*" + File.pathSeparator + "lib/endorsed/*"}) {
            options.add(new VMOption(option));
        }
        if ("root".equals(System.getProperty("user.name"))) {
            isolateAgent(options, "weft-it-" + getClass().getSimpleName().toLowerCase());
        }
        return options.toArray(new Option[0]);
    }

    /**
     * The node's agent programs a throwaway network namespace ({@code hostNetns}, with a veth
     * uplink {@code eth0} at 10.99.0.11/24 it can detect), never the machine the tests run on.
     * Deleted when the test JVM exits if it exits normally, else by the next test class.
     */
    private static void isolateAgent(List<Option> options, String netns) {
        try {
            // earlier test classes' namespaces: their JVMs end by halt (Pax Exam's RMI threads), skipping hooks
            File[] leftovers = new File("/var/run/netns").listFiles((d, name) -> name.startsWith("weft-it-"));
            for (File leftover : leftovers == null ? new File[0] : leftovers) {
                new ProcessBuilder("ip", "netns", "del", leftover.getName()).inheritIO().start().waitFor();
            }
            for (String[] command : new String[][] {
                    {"ip", "netns", "add", netns},
                    {"ip", "-n", netns, "link", "add", "eth0", "type", "veth", "peer", "name", "uplink-peer"},
                    {"ip", "-n", netns, "addr", "add", "10.99.0.11/24", "dev", "eth0"},
                    {"ip", "-n", netns, "link", "set", "uplink-peer", "up"},
                    {"ip", "-n", netns, "link", "set", "eth0", "up"},
                    {"ip", "-n", netns, "link", "set", "lo", "up"}}) {
                Process p = new ProcessBuilder(command).inheritIO().start();
                if (p.waitFor() != 0) {
                    throw new IllegalStateException(String.join(" ", command) + " failed");
                }
            }
        } catch (java.io.IOException e) {
            throw new IllegalStateException("cannot make the agent's namespace " + netns + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                new ProcessBuilder("ip", "netns", "del", netns).start().waitFor();
            } catch (Exception e) {
                // the JVM is exiting; a leftover namespace is deleted by the next run
            }
        }));
        options.add(editConfigurationFilePut("etc/io.weft.agent.cfg", "hostNetns", netns));
        options.add(editConfigurationFilePut("etc/io.weft.agent.cfg", "ipAutodetectionMethod", "interface=eth0"));
    }

    /** Runs a console command as an operator types it and returns what it printed. */
    protected String console(String command) {
        // Karaf re-registers all of a bundle's commands when a service one of them references comes or
        // goes, so during a provider swap a weft:* command can be missing for a moment: retry briefly
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
        while (true) {
            try {
                return consoleOnce(command);
            } catch (AssertionError e) {
                boolean missing = e.getCause() != null && e.getCause().getClass().getSimpleName().equals("CommandNotFoundException");
                if (!missing || System.nanoTime() > deadline) {
                    throw e;
                }
                try {
                    Thread.sleep(100);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
    }

    private String consoleOnce(String command) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        Session session = sessionFactory.create(System.in, out, out);
        try {
            Object result = session.execute(command);
            if (result != null) {
                out.println(result);
            }
        } catch (Exception e) {
            throw new AssertionError("console command failed: " + command + ": " + e, e);
        } finally {
            session.close();
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }

    /** Polls until {@code condition} holds, failing with {@code state}'s last value after {@link #WAIT}. */
    protected static void await(String what, BooleanSupplier condition, Supplier<String> state) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("timed out after " + WAIT.toSeconds() + " s waiting for " + what + "; last state:\n" + state.get());
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }

    /** The live configuration of a DS component, or null when it has none (not satisfied, disabled). */
    protected ComponentConfigurationDTO componentConfiguration(String componentName) {
        for (ComponentDescriptionDTO description : scr.getComponentDescriptionDTOs()) {
            if (description.name.equals(componentName)) {
                for (ComponentConfigurationDTO configuration : scr.getComponentConfigurationDTOs(description)) {
                    return configuration;
                }
            }
        }
        return null;
    }

    protected <T> T service(Class<T> type, String filter) throws Exception {
        var refs = bundleContext.getServiceReferences(type, filter);
        if (refs.isEmpty()) {
            return null;
        }
        T service = bundleContext.getService(refs.iterator().next());
        assertNotNull(service);
        return service;
    }
}
