package io.weft.itests.karaf;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.EnumSet;
import java.util.regex.Pattern;

import org.apache.karaf.features.FeaturesService;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;
import org.osgi.service.component.runtime.dto.ComponentConfigurationDTO;

import io.weft.api.datastore.Datastore;

/**
 * Hot swap of a real SPI: the node's registration (a datastore consumer with a dynamic,
 * greedy reference) follows the datastore provider as operators swap features at runtime,
 * without the consumer being restarted. If the consumer kept the old provider, the new store
 * would never receive the registration and the test fails.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class DatastoreHotSwapIT extends WeftKarafTestSupport {

    private static final String REGISTRATION_COMPONENT = "io.weft.core.NodeRegistration";
    private static final String MARKER = "/weft/itest/marker";
    /**
     * As operators swap ({@code feature:uninstall -r}): without a refresh, so nothing but the swapped
     * provider restarts. A refreshing swap would rewire JLine to JNA (an optional import Karaf leaves
     * unwired at boot) and restart the shell and SCR with it.
     */
    private static final EnumSet<FeaturesService.Option> NO_REFRESH = EnumSet.of(FeaturesService.Option.NoAutoRefreshBundles);

    @Test
    public void registrationFollowsTheDatastoreAcrossFeatureSwaps() throws Exception {
        String registrationKey = awaitRegisteredIn("embedded");
        ComponentConfigurationDTO consumer = componentConfiguration(REGISTRATION_COMPONENT);
        assertNotNull("the registration component is live", consumer);
        long consumerId = consumer.id;
        Bundle core = bundle("io.weft.core");
        long coreLastModified = core.getLastModified();

        Datastore embedded = service(Datastore.class, "(weft.provider=embedded)");
        embedded.put(MARKER, "written to the embedded store".getBytes(StandardCharsets.UTF_8), Datastore.NO_LEASE);

        // swap to the in-memory store
        featuresService.uninstallFeature("weft-datastore-embedded", NO_REFRESH);
        featuresService.installFeature("weft-datastore-memory", NO_REFRESH);
        assertEquals(registrationKey, awaitRegisteredIn("memory"));
        assertEquals("no embedded provider is left", null, bundle("io.weft.datastore.embedded"));

        Datastore memory = service(Datastore.class, "(weft.provider=memory)");
        assertTrue("the consumer registered in the new store", memory.get(registrationKey).isPresent());
        assertFalse("the new store is a different store", memory.get(MARKER).isPresent());

        String status = console("weft:status");
        assertTrue(status, Pattern.compile("(?m)^datastore\\s+memory\\s+io\\.weft\\.datastore\\.memory ").matcher(status).find());
        assertFalse(status, status.contains("io.weft.datastore.embedded"));

        // and back: the embedded store kept its data on disk across the swap
        featuresService.uninstallFeature("weft-datastore-memory", NO_REFRESH);
        featuresService.installFeature("weft-datastore-embedded", NO_REFRESH);
        awaitRegisteredIn("embedded");
        Datastore embeddedAgain = service(Datastore.class, "(weft.provider=embedded)");
        assertEquals("written to the embedded store",
                new String(embeddedAgain.get(MARKER).orElseThrow().value(), StandardCharsets.UTF_8));
        assertTrue(embeddedAgain.get(registrationKey).isPresent());

        // rewired, not restarted: same component configuration, same bundle
        assertEquals("the consumer was not re-created", consumerId, componentConfiguration(REGISTRATION_COMPONENT).id);
        assertEquals("io.weft.core was not reinstalled", coreLastModified, bundle("io.weft.core").getLastModified());
        assertEquals(Bundle.ACTIVE, bundle("io.weft.core").getState());
    }

    /** Waits until weft:status says the node is registered in {@code provider}; returns the key. */
    private String awaitRegisteredIn(String provider) {
        Pattern registered = Pattern.compile("(?s)datastore\\s+UP\\s+" + provider + " datastore, node registered.*?registration: (\\S+)");
        await("the node registration in the " + provider + " datastore",
                () -> registered.matcher(console("weft:status -v")).find(), () -> console("weft:status -v"));
        var m = registered.matcher(console("weft:status -v"));
        assertTrue(m.find());
        return m.group(1);
    }

    private Bundle bundle(String symbolicName) {
        for (Bundle b : bundleContext.getBundles()) {
            if (b.getSymbolicName().equals(symbolicName)) {
                return b;
            }
        }
        return null;
    }
}
