package io.weft.cni;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** Configuration PID {@value #PID} ({@code etc/io.weft.cni.cfg} in the distribution). */
@ObjectClassDefinition(name = "Weft CNI server", description = "The Unix socket the weft CNI shim talks to, and how pods are wired.")
public @interface CniConfig {

    String PID = "io.weft.cni";

    @AttributeDefinition(name = "Enabled", description = "Serve CNI requests on the socket.")
    boolean enabled() default true;

    @AttributeDefinition(name = "Socket path",
            description = "Unix socket for the CNI shim (created mode 0600: root only). The shim finds it there, "
                    + "or through its WEFT_CNI_SOCKET environment variable.")
    String socketPath() default "/var/run/weft/cni.sock";

    @AttributeDefinition(name = "Maximum request size (bytes)",
            description = "Larger requests (environment plus network configuration) get CNI error 6 and change nothing.")
    int maxRequestBytes() default 1048576;

    @AttributeDefinition(name = "Maximum concurrent requests",
            description = "Requests beyond this get CNI error 11 (try again later) instead of queueing without bound.")
    int maxConcurrentRequests() default 64;

    @AttributeDefinition(name = "Host veth prefix", description = "Prefix of pods' host-side interfaces (Calico: cali).")
    String vethPrefix() default "cali";

    @AttributeDefinition(name = "Default pod MTU",
            description = "MTU of pod interfaces when the network configuration has no mtu; 0 keeps the kernel's default (1500).")
    int mtu() default 0;

    @AttributeDefinition(name = "Node name",
            description = "Node the pods belong to. Empty: nodeName of io.weft.node, then NODENAME, then the host name. "
                    + "A network configuration's nodename field overrides it per network.")
    String nodeName() default "";

    @AttributeDefinition(name = "Wait for providers (ms)",
            description = "While the node starts or a datastore/IPAM provider is being swapped, a request waits this "
                    + "long for one before answering CNI error 11 (try again later).")
    int providerWaitMillis() default 10000;

    @AttributeDefinition(name = "Host network namespace",
            description = "Named network namespace (ip netns) to treat as the host; empty: the node runtime's own. "
                    + "Lets one machine run several lab nodes.")
    String hostNetns() default "";
}
