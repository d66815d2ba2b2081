package io.weft.agent;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** Configuration PID {@value #PID} ({@code etc/io.weft.agent.cfg} in the distribution). */
@ObjectClassDefinition(name = "Weft agent", description = "How this node programs its dataplane.")
public @interface AgentConfig {
    String PID = "io.weft.agent";

    @AttributeDefinition(name = "Node name",
            description = "This node's name. Empty: the NODENAME environment variable, else the host name.")
    String nodeName() default "";

    @AttributeDefinition(name = "IP autodetection method",
            description = "How to find this node's IPv4 address, as Calico's IP_AUTODETECTION_METHOD: first-found, "
                    + "interface=REGEX, can-reach=DESTINATION, cidr=CIDR[,CIDR]. Empty: the IP_AUTODETECTION_METHOD "
                    + "environment variable, else first-found.")
    String ipAutodetectionMethod() default "";

    @AttributeDefinition(name = "Route resync interval (seconds)",
            description = "How often the whole kernel state is compared with the desired state and repaired "
                    + "(Felix: RouteRefreshInterval, 90 s). Kernel notifications trigger repairs sooner.")
    int resyncIntervalSeconds() default 90;

    @AttributeDefinition(name = "Route protocol",
            description = "Protocol number of the routes this agent owns; it never touches routes of other protocols.")
    int routeProtocol() default 80;

    @AttributeDefinition(name = "Workload interface prefix",
            description = "Host-side veths of pods start with this prefix (Calico: cali).")
    String workloadInterfacePrefix() default "cali";

    @AttributeDefinition(name = "Host network namespace",
            description = "A named network namespace (ip netns) to program instead of the runtime's own; for lab "
                    + "nodes. Empty: the namespace the node runtime runs in.")
    String hostNetns() default "";

    @AttributeDefinition(name = "Health port",
            description = "Port of the health and metrics endpoint (/readiness, /liveness, /metrics in Prometheus "
                    + "text format), as Felix's 9099. 0 turns it off.")
    int healthPort() default 9099;

    @AttributeDefinition(name = "Health host",
            description = "Address the health endpoint listens on; localhost keeps it off the network.")
    String healthHost() default "localhost";
}
