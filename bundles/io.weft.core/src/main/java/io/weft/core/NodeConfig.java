package io.weft.core;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** Configuration PID {@value #PID} ({@code etc/io.weft.node.cfg} in the distribution). */
@ObjectClassDefinition(name = "Weft node", description = "Identity of this Weft node.")
public @interface NodeConfig {
    String PID = "io.weft.node";

    @AttributeDefinition(name = "Node name",
            description = "Name of this node in the datastore. Empty: the NODENAME environment variable, "
                    + "else the host name (as Calico does).")
    String nodeName() default "";

    @AttributeDefinition(name = "Registration TTL (seconds)",
            description = "How long this node's runtime registration outlives the node runtime if it dies.")
    int registrationTtlSeconds() default 30;
}
