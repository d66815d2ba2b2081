package io.weft.api.bgp;

import java.util.Set;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Derives sessions from resources: one implementation per topology (mesh, reflector, ebgp),
 * each its own bundle. The speaker runs the union of what every installed topology asks for;
 * removing a topology's bundle drops its sessions.
 */
@ConsumerType
public interface PeeringTopology {

    /** Sessions this node should have. Pure: same context, same answer. */
    Set<BgpSession> sessions(PeeringContext context);
}
