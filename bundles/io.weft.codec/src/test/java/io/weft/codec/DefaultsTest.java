package io.weft.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;

import org.junit.jupiter.api.Test;

import io.weft.api.model.Action;
import io.weft.api.model.AllowedUse;
import io.weft.api.model.AssignmentMode;
import io.weft.api.model.BGPPeer;
import io.weft.api.model.BGPPeerSpec;
import io.weft.api.model.EncapsulationMode;
import io.weft.api.model.GlobalNetworkPolicy;
import io.weft.api.model.GlobalNetworkPolicySpec;
import io.weft.api.model.IPPool;
import io.weft.api.model.IPPoolSpec;
import io.weft.api.model.NetworkPolicy;
import io.weft.api.model.NetworkPolicySpec;
import io.weft.api.model.ObjectMeta;
import io.weft.api.model.PolicyType;
import io.weft.api.model.Rule;
import io.weft.api.resource.InvalidResourceException;

class DefaultsTest {

    @Test
    void ipv4PoolGetsWhatCalicoFillsIn() {
        IPPoolSpec s = Defaults.apply(new IPPool(ObjectMeta.named("p"), IPPoolSpec.of("10.244.0.0/16"))).spec();
        assertEquals(new IPPoolSpec("10.244.0.0/16", 26, EncapsulationMode.NEVER, EncapsulationMode.NEVER, false, false,
                false, "all()", List.of(AllowedUse.WORKLOAD, AllowedUse.TUNNEL), AssignmentMode.AUTOMATIC), s);
    }

    @Test
    void ipv6PoolGetsBlockSize122AndACanonicalCidr() {
        IPPoolSpec s = Defaults.ipPool(IPPoolSpec.of("FD00:0:0:0::/48"));
        assertEquals("fd00::/48", s.cidr());
        assertEquals(122, s.blockSize());
    }

    @Test
    void invalidCidrsAreLeftForTheValidator() {
        IPPoolSpec s = Defaults.ipPool(IPPoolSpec.of("10.244.1.0/16"));
        assertEquals("10.244.1.0/16", s.cidr());
        assertNull(s.blockSize());
    }

    @Test
    void policiesGetNamespaceAndTypes() {
        NetworkPolicy np = Defaults.apply(new NetworkPolicy(ObjectMeta.named("p"),
                new NetworkPolicySpec(null, "all()", null, null, List.of(Rule.of(Action.ALLOW)), null)));
        assertEquals(Defaults.DEFAULT_NAMESPACE, np.metadata().namespace());
        assertEquals(List.of(PolicyType.EGRESS), np.spec().types());
        GlobalNetworkPolicy gnp = Defaults.apply(new GlobalNetworkPolicy(ObjectMeta.named("g"),
                GlobalNetworkPolicySpec.EMPTY));
        assertEquals(List.of(PolicyType.INGRESS), gnp.spec().types());
        assertNull(gnp.metadata().namespace());
    }

    @Test
    void otherKindsAreStoredAsWritten() {
        BGPPeer peer = new BGPPeer(ObjectMeta.named("p"), BGPPeerSpec.global("192.0.2.1", 65001));
        assertSame(peer, Defaults.apply(peer));
    }

    @Test
    void applyingTwiceIsApplyingOnce() {
        for (var r : Examples.all()) {
            assertEquals(Defaults.apply(r), Defaults.apply(Defaults.apply(r)));
        }
    }

    @Test
    void validatorThrowsWithEveryProblem() {
        IPPool bad = Defaults.apply(new IPPool(ObjectMeta.named("p"), new IPPoolSpec("10.244.0.0/16", 33,
                EncapsulationMode.ALWAYS, EncapsulationMode.ALWAYS, false, false, false, null, null, null)));
        InvalidResourceException e = assertThrows(InvalidResourceException.class, () -> ResourceValidator.validate(bad));
        assertEquals(List.of("IPPool \"p\": spec.blockSize 33 is out of range 20–32 for IPv4 pools",
                "IPPool \"p\": spec.ipipMode and spec.vxlanMode cannot both be enabled (ipipMode: Always, vxlanMode:"
                        + " Always); set one of them to Never"), e.problems());
    }
}
