package io.weft.core;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * What the first node creates in an empty datastore (PID {@value #PID}). The seeds' environment
 * variables ({@code CALICO_IPV4POOL_CIDR}, {@code CALICO_IPV4POOL_BLOCK_SIZE},
 * {@code CALICO_IPV4POOL_IPIP}, {@code CALICO_IPV4POOL_VXLAN}, {@code CALICO_IPV4POOL_NAT_OUTGOING},
 * {@code NO_DEFAULT_POOLS}) override these settings, as calico/node honours them.
 */
@ObjectClassDefinition(name = "Weft first-start defaults",
        description = "The default IP pool and BGP configuration created when the datastore has none.")
public @interface BootstrapConfig {
    String PID = "io.weft.bootstrap";

    @AttributeDefinition(description = "Create the default IPv4 pool when no IP pool exists (env NO_DEFAULT_POOLS=true disables)")
    boolean createDefaultPools() default true;

    @AttributeDefinition(description = "CIDR of the default IPv4 pool (env CALICO_IPV4POOL_CIDR)")
    String ipv4PoolCidr() default "192.168.0.0/16";

    @AttributeDefinition(description = "Block size of the default IPv4 pool, 20-32 (env CALICO_IPV4POOL_BLOCK_SIZE)")
    int ipv4PoolBlockSize() default 26;

    @AttributeDefinition(description = "IPIP mode of the default pool: Always, CrossSubnet or Never (env CALICO_IPV4POOL_IPIP)")
    String ipv4PoolIpip() default "Always";

    @AttributeDefinition(description = "VXLAN mode of the default pool: Always, CrossSubnet or Never (env CALICO_IPV4POOL_VXLAN)")
    String ipv4PoolVxlan() default "Never";

    @AttributeDefinition(description = "NAT outgoing traffic of the default pool (env CALICO_IPV4POOL_NAT_OUTGOING)")
    boolean ipv4PoolNatOutgoing() default true;

    @AttributeDefinition(description = "AS number of the default BGPConfiguration")
    long asNumber() default 64512;
}
