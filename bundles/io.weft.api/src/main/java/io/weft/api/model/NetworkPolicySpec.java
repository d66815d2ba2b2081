package io.weft.api.model;

import java.util.List;

/**
 * A namespaced policy: which endpoints it applies to and its ingress and egress rules.
 *
 * @param order lower orders are applied first; null sorts after every number
 * @param selector endpoints (in the policy's namespace) the policy applies to; null for all
 * @param types directions the policy governs; empty to infer from the rules
 *        ({@link #effectiveTypes()})
 * @param serviceAccountSelector further restricts the endpoints by their service account's labels
 */
public record NetworkPolicySpec(
        Double order,
        String selector,
        List<PolicyType> types,
        List<Rule> ingress,
        List<Rule> egress,
        String serviceAccountSelector) {

    public static final NetworkPolicySpec EMPTY = new NetworkPolicySpec(null, null, null, null, null, null);

    public NetworkPolicySpec {
        types = Copies.list(types);
        ingress = Copies.list(ingress);
        egress = Copies.list(egress);
    }

    /** {@link #types()} if given, otherwise what Calico infers from the rules present. */
    public List<PolicyType> effectiveTypes() {
        return types.isEmpty() ? PolicyType.inferred(ingress, egress) : types;
    }
}
