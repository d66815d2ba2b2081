package io.weft.cni;

import static io.weft.netlink.NetnsLab.ip;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;

import io.weft.api.cni.CniResponse;
import io.weft.api.model.ResourceKind;
import io.weft.netlink.NetnsLab;

/**
 * Bad input and exhausted resources: each gets the CNI error code and a message naming what is
 * wrong and the fix, and leaves nothing behind (no veth, no route, no address, no endpoint).
 */
class CniFailureKernelTest {

    @TempDir
    Path dir;
    NetnsLab lab;
    CniNode node;

    @BeforeEach
    void setUp() throws Exception {
        lab = new NetnsLab();
        node = new CniNode(lab, dir, "10.250.0.0/30", 30); // four addresses in all
    }

    @AfterEach
    void tearDown() throws Exception {
        if (node != null) {
            node.close();
        }
        if (lab != null) {
            lab.close();
        }
    }

    @Test
    void anExhaustedPoolFailsThePodCleanly() throws Exception {
        for (int i = 0; i < 4; i++) {
            String ns = node.sandbox("p" + i);
            CniResponse r = node.call("ADD", "cid-full-" + i, ns, "p-" + i, CniNode.config("1.0.0"));
            assertEquals(0, r.exitCode(), new String(r.stdout()));
        }
        String ns = node.sandbox("p4");
        CniResponse r = node.call("ADD", "cid-full-4", ns, "p-4", CniNode.config("1.0.0"));
        assertEquals(CniFailure.IPAM_FAILURE, r.exitCode());
        JsonNode error = node.json(r);
        assertEquals(100, error.path("code").asInt());
        assertTrue(error.path("msg").asText().contains("exhausted"), error.toString());
        assertTrue(error.path("msg").asText().contains("4 of 4 in use"), error.toString());
        assertTrue(error.path("details").asText().contains("add an IPPool"), error.toString());
        assertFalse(ip(node.hostNs, "link", "show").contains("cali" + PodNames.sha1Hex("default.p-4").substring(0, 11)));
        assertTrue(ip(ns, "link", "show").lines().noneMatch(l -> l.contains("eth0")));
        assertTrue(node.ipam.addressesOf("k8s-pod-network.cid-full-4").isEmpty());
        assertEquals(4, node.store.list(ResourceKind.WORKLOAD_ENDPOINT, null).size());
    }

    @Test
    void aMissingNamespaceIsAnInvalidEnvironment() throws Exception {
        CniResponse r = node.call("ADD", "cid-nons", "no-such-ns-anywhere", "ghost", CniNode.config("1.0.0"));
        assertEquals(CniFailure.INVALID_ENVIRONMENT, r.exitCode());
        assertTrue(node.json(r).path("msg").asText().contains("/var/run/netns/no-such-ns-anywhere does not exist"));
        assertTrue(node.ipam.addressesOf("k8s-pod-network.cid-nons").isEmpty());
    }

    @Test
    void malformedRequestsGetDecodeAndConfigErrors() throws Exception {
        String ns = node.sandbox("bad");
        CniResponse notJson = node.call("ADD", "cid-bad", ns, "bad", "{\"cniVersion\": \"1.0.0\", ");
        assertEquals(CniFailure.DECODING_FAILURE, notJson.exitCode());
        assertTrue(node.json(notJson).path("msg").asText().contains("not valid JSON"));

        CniResponse noType = node.call("ADD", "cid-bad", ns, "bad", "{\"cniVersion\":\"1.0.0\",\"name\":\"n\"}");
        assertEquals(CniFailure.INVALID_NETWORK_CONFIG, noType.exitCode());

        CniResponse oldVersion = node.call("ADD", "cid-bad", ns, "bad",
                "{\"cniVersion\":\"0.2.0\",\"name\":\"n\",\"type\":\"weft\"}");
        assertEquals(CniFailure.INCOMPATIBLE_VERSION, oldVersion.exitCode());
        assertTrue(node.json(oldVersion).path("details").asText().contains("1.1.0"));

        CniResponse badMtu = node.call("ADD", "cid-bad", ns, "bad",
                "{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"type\":\"weft\",\"mtu\":20}");
        assertEquals(CniFailure.INVALID_NETWORK_CONFIG, badMtu.exitCode());
        assertTrue(node.json(badMtu).path("msg").asText().contains("mtu 20 is out of range 68-65535"));

        CniResponse unknownPool = node.call("ADD", "cid-bad", ns, "bad", "{\"cniVersion\":\"1.0.0\",\"name\":\"n\","
                + "\"type\":\"weft\",\"ipam\":{\"type\":\"weft\",\"ipv4_pools\":[\"no-such-pool\"]}}");
        assertEquals(CniFailure.INVALID_NETWORK_CONFIG, unknownPool.exitCode());
        assertTrue(node.json(unknownPool).path("msg").asText().contains("no IPPool named \"no-such-pool\""));

        Map<String, String> env = new LinkedHashMap<>();
        env.put("CNI_COMMAND", "FROB");
        CniResponse badCommand = node.raw(env, CniNode.config("1.0.0").getBytes(StandardCharsets.UTF_8));
        assertEquals(CniFailure.INVALID_ENVIRONMENT, badCommand.exitCode());

        CniResponse noContainer = node.call("ADD", null, ns, "bad", CniNode.config("1.0.0"));
        assertEquals(CniFailure.INVALID_ENVIRONMENT, noContainer.exitCode());
        assertTrue(node.json(noContainer).path("msg").asText().contains("CNI_CONTAINERID"));

        // over the size limit: refused before anything is parsed
        byte[] huge = new byte[(1 << 20) + 1];
        java.util.Arrays.fill(huge, (byte) ' ');
        CniResponse tooBig = node.raw(Map.of("CNI_COMMAND", "ADD"), huge);
        assertEquals(CniFailure.DECODING_FAILURE, tooBig.exitCode());
        assertTrue(node.json(tooBig).path("msg").asText().contains("request too large"));

        assertTrue(ip(node.hostNs, "link", "show").lines().noneMatch(l -> l.contains("cali")), "no veth left behind");
        assertTrue(node.store.list(ResourceKind.WORKLOAD_ENDPOINT, null).isEmpty());
    }

    @Test
    void delOfAContainerNeverAddedSucceedsAndTouchesNothing() throws Exception {
        String ns = node.sandbox("live");
        assertEquals(0, node.call("ADD", "cid-live", ns, "live", CniNode.config("1.0.0")).exitCode());
        CniResponse r = node.call("DEL", "cid-never-added", null, "ghost", CniNode.config("1.0.0"));
        assertEquals(0, r.exitCode(), new String(r.stdout()));
        assertEquals(1, node.ipam.addressesOf("k8s-pod-network.cid-live").size());
        assertEquals(1, node.store.list(ResourceKind.WORKLOAD_ENDPOINT, null).size());
        // CHECK of it names the problem: code 3, unknown container
        CniResponse check = node.call("CHECK", "cid-never-added", ns, "ghost", CniNode.config("1.0.0"));
        assertEquals(CniFailure.UNKNOWN_CONTAINER, check.exitCode());
    }

    @Test
    void theSocketIsRootOnlyAndVersionAnswersWithoutAPod() throws Exception {
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(node.socket)));
        CniResponse v = node.raw(Map.of("CNI_COMMAND", "VERSION"),
                "{\"cniVersion\":\"1.1.0\",\"type\":\"weft\"}".getBytes(StandardCharsets.UTF_8));
        assertEquals(0, v.exitCode());
        assertEquals("[\"0.3.0\",\"0.3.1\",\"0.4.0\",\"1.0.0\",\"1.1.0\"]",
                node.json(v).path("supportedVersions").toString());
    }
}
