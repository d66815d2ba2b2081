package io.weft.itests.karaf;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.editConfigurationFilePut;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import org.apache.karaf.features.FeaturesService;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.ServiceReference;

import io.weft.api.ipam.AssignRequest;
import io.weft.api.ipam.Assignment.AssignedAddress;
import io.weft.api.ipam.IpamException;
import io.weft.api.ipam.IpamService;
import io.weft.api.model.IPAMHandle;
import io.weft.api.model.ResourceKind;
import io.weft.api.net.Cidr;
import io.weft.api.resource.ResourceStore;

/**
 * Hot swap of the IPAM provider: the node boots with the block allocator, which hands out an
 * address; the operator swaps feature weft-ipam-block for weft-ipam-hostlocal, and a consumer
 * looking the SPI up by its interface alone now gets host-local, which hands out an address
 * from the node's configured range; swapped back, the block allocator still knows its first
 * address and host-local's record is still in the datastore. Only API types are used here,
 * so the probe never depends on either provider bundle.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class IpamHotSwapIT extends WeftKarafTestSupport {

    private static final String NODE = "itest-node";
    /** Inside the default pool the first start creates (192.168.0.0/16). */
    private static final String RANGE = "192.168.77.0/24";
    private static final String BLOCK_HANDLE = "k8s-pod-network.itest-block-1";
    private static final String HOST_LOCAL_HANDLE = "k8s-pod-network.itest-hostlocal-1";
    /** No refresh: a refresh of io.weft.api would restart this probe. */
    private static final EnumSet<FeaturesService.Option> NO_REFRESH =
            EnumSet.of(FeaturesService.Option.NoAutoRefreshBundles);

    @Override
    @Configuration
    public Option[] config() {
        List<Option> options = new ArrayList<>(Arrays.asList(super.config()));
        options.add(editConfigurationFilePut("etc/io.weft.ipam.hostlocal.cfg", "ranges", NODE + "=" + RANGE));
        return options.toArray(new Option[0]);
    }

    @Test
    public void consumersSeeTheNewProviderAndStateStaysInTheDatastore() throws Exception {
        awaitIpamProvider("block", "io.weft.ipam.block");
        IpamService block = service(IpamService.class, "(weft.provider=block)");
        assertNotNull("the block allocator is registered", block);
        InetAddress first = awaitAssignment(block, BLOCK_HANDLE).address();
        assertEquals(List.of(first), block.addressesOf(BLOCK_HANDLE));

        // swap: block out, host-local in
        featuresService.uninstallFeature("weft-ipam-block", NO_REFRESH);
        featuresService.installFeature("weft-ipam-hostlocal", NO_REFRESH);
        awaitIpamProvider("host-local", "io.weft.ipam.hostlocal");
        String status = console("weft:status");
        assertFalse(status, status.contains("io.weft.ipam.block"));

        ServiceReference<IpamService> ref = onlyIpamReference();
        assertEquals("host-local", ref.getProperty("weft.provider"));
        IpamService hostLocal = bundleContext.getService(ref);
        try {
            AssignedAddress a = awaitAssignment(hostLocal, HOST_LOCAL_HANDLE);
            assertEquals(Cidr.parse(RANGE), a.block());
            assertTrue(a + " is in the node's range " + RANGE, Cidr.parse(RANGE).contains(a.address()));
            assertEquals("the first address of the range", "192.168.77.1", Cidr.format(a.address()));
            assertEquals(Cidr.parse("192.168.0.0/16"), a.pool());
            assertNotEquals(first, a.address());
            assertEquals(List.of(a.address()), hostLocal.addressesOf(HOST_LOCAL_HANDLE));
            assertEquals("the block allocator's handles are not host-local's", List.of(),
                    hostLocal.addressesOf(BLOCK_HANDLE));
        } finally {
            bundleContext.ungetService(ref);
        }

        // and back: the block allocator's state was in the datastore all along
        featuresService.uninstallFeature("weft-ipam-hostlocal", NO_REFRESH);
        featuresService.installFeature("weft-ipam-block", NO_REFRESH);
        awaitIpamProvider("block", "io.weft.ipam.block");
        assertEquals("block", onlyIpamReference().getProperty("weft.provider"));
        IpamService blockAgain = service(IpamService.class, "(weft.provider=block)");
        assertEquals(List.of(first), blockAgain.addressesOf(BLOCK_HANDLE));
        assertEquals(List.of(), blockAgain.addressesOf(HOST_LOCAL_HANDLE));

        ResourceStore store = service(ResourceStore.class, null);
        IPAMHandle record = store.get(ResourceKind.IPAM_HANDLE, null, "hostlocal.node." + NODE).orElseThrow(
                () -> new AssertionError("host-local's record of " + NODE + " is in the datastore"));
        assertEquals(RANGE, record.metadata().annotations().get("hostlocal.weft.io/range"));
        assertTrue(record.metadata().annotations().toString(), record.metadata().annotations()
                .getOrDefault("ip.hostlocal.weft.io/192.168.77.1", "").startsWith("handle=" + HOST_LOCAL_HANDLE));
    }

    /** Waits until weft:status lists exactly {@code provider} for the IPAM SPI. */
    private void awaitIpamProvider(String provider, String bundle) {
        Pattern line = Pattern.compile("(?m)^ipam\\s+" + Pattern.quote(provider) + "\\s+" + Pattern.quote(bundle)
                + " \\S+\\n(?!\\s)");
        await("weft:status to show ipam " + provider, () -> line.matcher(console("weft:status")).find(),
                () -> console("weft:status"));
    }

    private ServiceReference<IpamService> onlyIpamReference() throws Exception {
        Collection<ServiceReference<IpamService>> refs = bundleContext.getServiceReferences(IpamService.class,
                "(objectClass=io.weft.api.ipam.IpamService)");
        assertEquals("one IPAM provider at a time: " + refs, 1, refs.size());
        return refs.iterator().next();
    }

    /** Assigns one pod address, retrying while the first start is still creating the default pool. */
    private static AssignedAddress awaitAssignment(IpamService ipam, String handle) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (true) {
            try {
                List<AssignedAddress> got = ipam.assign(AssignRequest.podIpv4(handle, NODE,
                        Map.of("namespace", "itest", "pod", handle))).addresses();
                assertEquals(1, got.size());
                return got.get(0);
            } catch (IpamException e) {
                boolean notYet = e.reason() == IpamException.Reason.DATASTORE
                        || e.reason() == IpamException.Reason.NO_POOL;
                if (!notYet || System.nanoTime() > deadline) {
                    fail("assign " + handle + ": " + e.getMessage());
                }
                Thread.sleep(200);
            }
        }
    }
}
