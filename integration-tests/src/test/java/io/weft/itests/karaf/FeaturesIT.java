package io.weft.itests.karaf;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.regex.Pattern;

import org.apache.karaf.features.Feature;
import org.apache.karaf.features.FeaturesService;
import org.junit.FixMethodOrder;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.junit.runners.MethodSorters;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;
import org.osgi.service.component.runtime.dto.ComponentConfigurationDTO;
import org.osgi.service.component.runtime.dto.ComponentDescriptionDTO;
import org.osgi.service.component.runtime.dto.UnsatisfiedReferenceDTO;

/**
 * The distribution as shipped: the default node comes up on the embedded datastore with no
 * remote console, and every Weft feature in the repository installs with all its components
 * satisfied. One Karaf boot; the methods run in name order on the same container.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
@FixMethodOrder(MethodSorters.NAME_ASCENDING)
public class FeaturesIT extends WeftKarafTestSupport {

    @Test
    public void a_defaultNodeRunsOnTheEmbeddedDatastore() {
        await("weft:status to show the embedded datastore registered",
                () -> console("weft:status").contains("embedded datastore, node registered"),
                () -> console("weft:status"));
        // the agent starts once the resource store is bound and its first full sync is done
        await("weft:status to show the node UP with its agent synced",
                () -> console("weft:status").contains(": UP\n"), () -> console("weft:status"));
        String status = console("weft:status");
        assertTrue(status, Pattern.compile("(?m)^agent\\s+UP\\s").matcher(status).find());
        assertTrue(status, Pattern.compile("(?m)^datastore\\s+embedded\\s+io\\.weft\\.datastore\\.embedded ").matcher(status).find());
        assertTrue(status, Pattern.compile("(?m)^ipam\\s+block\\s+io\\.weft\\.ipam\\.block ").matcher(status).find());
        assertTrue(status, status.contains(": UP\n"));
        // calicoctl's word order: options after the kind
        await("the first-start default pool", () -> console("weft:get ippool -o wide").contains("default-ipv4-ippool"),
                () -> console("weft:get ippool -o wide"));
        assertTrue(console("weft:get ippool -o wide").contains(
                "default-ipv4-ippool   192.168.0.0/16   true   Never      Never       false      false              all()"));
        String version = console("weft:version");
        assertTrue(version, version.startsWith("Client Version:    0.1.0"));
    }

    @Test
    public void b_noRemoteConsoleAndNoDefaultPassword() throws Exception {
        assertFalse("ssh must not start by default", featuresService.isInstalled(featuresService.getFeature("ssh")));
        assertFalse("JMX must not start by default",
                featuresService.isInstalled(featuresService.getFeature("management")));
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", 8101), 500);
            fail("something listens on the SSH console port 8101");
        } catch (IOException expected) {
            // refused: nothing listening
        }
        List<String> users = new ArrayList<>();
        for (String line : Files.readAllLines(Path.of(System.getProperty("karaf.etc"), "users.properties"))) {
            String trimmed = line.trim();
            if (!trimmed.isEmpty() && !trimmed.startsWith("#") && !trimmed.startsWith("_g_")) {
                users.add(trimmed);
            }
        }
        assertEquals("etc/users.properties must ship without accounts", List.of(), users);
        String shell = Files.readString(Path.of(System.getProperty("karaf.etc"), "org.apache.karaf.shell.cfg"));
        assertTrue("SSH, once enabled, binds to localhost", shell.contains("sshHost = 127.0.0.1"));
    }

    @Test
    public void c_everyWeftFeatureInstallsWithItsComponentsSatisfied() throws Exception {
        List<String> weftFeatures = new ArrayList<>();
        for (Feature feature : featuresService.listFeatures()) {
            if (feature.getName().startsWith("weft-")) {
                weftFeatures.add(feature.getName());
            }
        }
        assertTrue("the Weft feature repository is registered: " + weftFeatures,
                weftFeatures.containsAll(List.of("weft-api", "weft-core", "weft-datastore-embedded",
                        "weft-datastore-memory", "weft-datastore-etcd", "weft-codec", "weft-cli", "weft-ipam-block",
                        "weft-ipam-hostlocal", "weft-netlink", "weft-shell")));
        for (String name : weftFeatures) {
            // no refresh: a refresh would restart this test probe (it imports packages dynamically)
            featuresService.installFeature(name, EnumSet.of(FeaturesService.Option.NoAutoRefreshBundles));
            assertTrue(name + " installed", featuresService.isInstalled(featuresService.getFeature(name)));
        }

        await("every Weft component to be satisfied", () -> problems().isEmpty(), () -> String.join("\n", problems()));

        // the netlink library loads its native part (JNA) inside Karaf and talks to the kernel
        List<String> links = NetlinkProbe.linkNames();
        assertTrue("the kernel's links, read from inside Karaf: " + links, links.contains("lo"));

        // every datastore now registered; consumers bind the first listed
        // the agent starts once the resource store is bound and its first full sync is done
        await("weft:status to show the node UP with its agent synced",
                () -> console("weft:status").contains(": UP\n"), () -> console("weft:status"));
        String status = console("weft:status");
        assertTrue(status, Pattern.compile("(?m)^agent\\s+UP\\s").matcher(status).find());
        assertTrue(status, Pattern.compile("(?m)^datastore\\s+embedded\\s+io\\.weft\\.datastore\\.embedded .*\\n"
                + "\\s+etcd\\s+io\\.weft\\.datastore\\.etcd .*\\n\\s+memory\\s+io\\.weft\\.datastore\\.memory ").matcher(status).find());
        assertTrue(status, Pattern.compile("(?m)^resource-codec\\s+jackson\\s+io\\.weft\\.codec ").matcher(status).find());
    }

    /** Weft bundles not active and Weft components not satisfied, in words. */
    private List<String> problems() {
        List<String> problems = new ArrayList<>();
        int weftBundles = 0;
        for (Bundle bundle : bundleContext.getBundles()) {
            if (!bundle.getSymbolicName().startsWith("io.weft.")) {
                continue;
            }
            weftBundles++;
            if (bundle.getState() != Bundle.ACTIVE) {
                problems.add("bundle " + bundle.getSymbolicName() + " is in state " + bundle.getState());
            }
        }
        if (weftBundles < 6) {
            problems.add("only " + weftBundles + " Weft bundles installed");
        }
        for (ComponentDescriptionDTO description : scr.getComponentDescriptionDTOs()) {
            if (!description.bundle.symbolicName.startsWith("io.weft.")) {
                continue;
            }
            var configurations = scr.getComponentConfigurationDTOs(description);
            if (configurations.isEmpty()) {
                problems.add("component " + description.name + " has no configuration (disabled or waiting for config)");
            }
            for (ComponentConfigurationDTO c : configurations) {
                if (c.state != ComponentConfigurationDTO.ACTIVE && c.state != ComponentConfigurationDTO.SATISFIED) {
                    StringBuilder why = new StringBuilder("component " + description.name + " state " + c.state);
                    for (UnsatisfiedReferenceDTO ref : c.unsatisfiedReferences) {
                        why.append(", unsatisfied reference ").append(ref.name);
                    }
                    if (c.failure != null) {
                        why.append(", failure ").append(c.failure);
                    }
                    problems.add(why.toString());
                }
            }
        }
        return problems;
    }
}
