package io.weft.api.model;

import java.util.List;

/**
 * One side (source or destination) of a policy rule. All fields set must match; an empty entity
 * rule matches everything.
 *
 * @param nets networks the address must be in (any of them)
 * @param notNets networks the address must not be in
 * @param selector label selector over endpoints, for example {@code app == 'web'}
 * @param namespaceSelector label selector over the endpoints' namespaces
 * @param ports port numbers, ranges ({@code "8000:8080"}) or named ports, all as text because
 *        Calico accepts integers and strings in the same list
 * @param notPorts ports the traffic must not use
 */
public record EntityRule(
        List<String> nets,
        List<String> notNets,
        String selector,
        String notSelector,
        String namespaceSelector,
        List<String> ports,
        List<String> notPorts) {

    public static final EntityRule EMPTY = new EntityRule(null, null, null, null, null, null, null);

    public EntityRule {
        nets = Copies.list(nets);
        notNets = Copies.list(notNets);
        ports = Copies.list(ports);
        notPorts = Copies.list(notPorts);
    }
}
