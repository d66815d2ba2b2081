package io.weft.codec;

import java.net.InetAddress;
import java.util.Arrays;
import java.util.List;

import io.weft.api.model.AllowedUse;
import io.weft.api.model.AssignmentMode;
import io.weft.api.model.GlobalNetworkPolicy;
import io.weft.api.model.GlobalNetworkPolicySpec;
import io.weft.api.model.IPPool;
import io.weft.api.model.IPPoolSpec;
import io.weft.api.model.NetworkPolicy;
import io.weft.api.model.NetworkPolicySpec;
import io.weft.api.model.ObjectMeta;
import io.weft.api.model.Resource;
import io.weft.api.net.Cidr;

/**
 * The values Calico fills in when a resource is created, so that a resource read back looks as
 * {@code calicoctl get -o yaml} shows it after {@code calicoctl create}:
 *
 * <ul>
 * <li>namespaced kinds (NetworkPolicy, WorkloadEndpoint) without a namespace get {@code default},
 * as calicoctl does;</li>
 * <li>IPPool: the CIDR in canonical form, {@code blockSize} 26 (IPv4) or 122 (IPv6),
 * {@code nodeSelector: all()}, {@code ipipMode}/{@code vxlanMode} {@code Never},
 * {@code allowedUses: [Workload, Tunnel]}, {@code assignmentMode: Automatic};</li>
 * <li>NetworkPolicy and GlobalNetworkPolicy: {@code types} inferred from the rules present.</li>
 * </ul>
 *
 * <p>Other kinds are returned unchanged: Calico stores them as written. Applying defaults twice
 * gives the same result as once. Values that are invalid (an unparsable CIDR) are left for
 * {@link ResourceValidator} to report.
 */
public final class Defaults {

    /** The namespace calicoctl puts namespaced resources in when none is given. */
    public static final String DEFAULT_NAMESPACE = "default";

    private Defaults() {
    }

    /** {@code resource} with Calico's create-time defaults filled in; the same kind as given. */
    @SuppressWarnings("unchecked")
    public static <R extends Resource> R apply(R resource) {
        Resource out = resource;
        if (resource.kind().namespaced() && isBlank(resource.metadata().namespace())) {
            out = resource.kind().withMetadata(resource, withNamespace(resource.metadata(), DEFAULT_NAMESPACE));
        }
        if (out instanceof IPPool pool) {
            out = pool.withSpec(ipPool(pool.spec()));
        } else if (out instanceof NetworkPolicy policy) {
            NetworkPolicySpec s = policy.spec();
            out = policy.withSpec(new NetworkPolicySpec(s.order(), s.selector(), s.effectiveTypes(), s.ingress(),
                    s.egress(), s.serviceAccountSelector()));
        } else if (out instanceof GlobalNetworkPolicy policy) {
            GlobalNetworkPolicySpec s = policy.spec();
            out = policy.withSpec(new GlobalNetworkPolicySpec(s.order(), s.selector(), s.effectiveTypes(), s.ingress(),
                    s.egress(), s.namespaceSelector(), s.serviceAccountSelector(), s.doNotTrack(), s.preDNAT(),
                    s.applyOnForward()));
        }
        return (R) out;
    }

    /** An IP pool spec with Calico's defaults; see the class comment. */
    public static IPPoolSpec ipPool(IPPoolSpec s) {
        String cidr = s.cidr();
        Integer blockSize = s.blockSize();
        Cidr parsed = strictlyMaskedCidr(cidr);
        if (parsed != null) {
            cidr = parsed.toString();
            if (blockSize == null || blockSize == 0) {
                blockSize = parsed.isIpv4() ? IPPoolSpec.DEFAULT_IPV4_BLOCK_SIZE : IPPoolSpec.DEFAULT_IPV6_BLOCK_SIZE;
            }
        }
        return new IPPoolSpec(
                cidr,
                blockSize,
                s.effectiveIpipMode(),
                s.effectiveVxlanMode(),
                s.natOutgoing(),
                s.disabled(),
                s.disableBGPExport(),
                s.effectiveNodeSelector(),
                s.allowedUses().isEmpty() ? List.of(AllowedUse.WORKLOAD, AllowedUse.TUNNEL) : s.allowedUses(),
                s.assignmentMode() == null ? AssignmentMode.AUTOMATIC : s.assignmentMode());
    }

    /** The pool's network when {@code text} is a CIDR without host bits; null otherwise. */
    static Cidr strictlyMaskedCidr(String text) {
        if (text == null || text.indexOf('/') < 0) {
            return null;
        }
        try {
            Cidr cidr = Cidr.parse(text);
            InetAddress written = Cidr.parseAddress(text.substring(0, text.indexOf('/')));
            return Arrays.equals(written.getAddress(), cidr.network().getAddress()) ? cidr : null;
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    static ObjectMeta withNamespace(ObjectMeta m, String namespace) {
        return new ObjectMeta(m.name(), namespace, m.labels(), m.annotations(), m.uid(), m.resourceVersion(),
                m.creationTimestamp());
    }

    private static boolean isBlank(String s) {
        return s == null || s.isBlank();
    }
}
