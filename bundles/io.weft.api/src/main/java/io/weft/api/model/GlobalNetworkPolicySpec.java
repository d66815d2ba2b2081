package io.weft.api.model;

import java.util.List;

/**
 * A cluster-wide policy. Besides what a {@link NetworkPolicySpec} offers it can choose
 * namespaces by label and apply at points in the host's packet path that namespaced policy
 * cannot reach.
 *
 * @param order lower orders are applied first; null sorts after every number
 * @param selector endpoints the policy applies to; null for all
 * @param types directions the policy governs; empty to infer from the rules
 *        ({@link #effectiveTypes()})
 * @param namespaceSelector restricts the policy to endpoints in matching namespaces
 * @param serviceAccountSelector restricts the policy to endpoints whose service account matches
 * @param doNotTrack apply before connection tracking (host endpoints), for traffic that should
 *        bypass conntrack entirely; rules must then allow both directions explicitly
 * @param preDNAT apply before DNAT (host endpoints), so that rules see the address clients
 *        connected to rather than the service backend
 * @param applyOnForward also apply to traffic forwarded through the host, not just to traffic
 *        for the host itself
 */
public record GlobalNetworkPolicySpec(
        Double order,
        String selector,
        List<PolicyType> types,
        List<Rule> ingress,
        List<Rule> egress,
        String namespaceSelector,
        String serviceAccountSelector,
        boolean doNotTrack,
        boolean preDNAT,
        boolean applyOnForward) {

    public static final GlobalNetworkPolicySpec EMPTY =
            new GlobalNetworkPolicySpec(null, null, null, null, null, null, null, false, false, false);

    public GlobalNetworkPolicySpec {
        types = Copies.list(types);
        ingress = Copies.list(ingress);
        egress = Copies.list(egress);
    }

    /** {@link #types()} if given, otherwise what Calico infers from the rules present. */
    public List<PolicyType> effectiveTypes() {
        return types.isEmpty() ? PolicyType.inferred(ingress, egress) : types;
    }
}
