package io.weft.ipam.hostlocal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** Configuration PID {@value #PID} ({@code etc/io.weft.ipam.hostlocal.cfg}); optional. */
@ObjectClassDefinition(name = "Weft host-local IPAM",
        description = "Each node hands out addresses from one fixed IPv4 range carved from the IP pools.")
public @interface HostLocalConfig {
    String PID = "io.weft.ipam.hostlocal";

    @AttributeDefinition(name = "Fixed ranges",
            description = "node=cidr pairs separated by commas, e.g. node1=10.244.1.0/24,node2=10.244.2.0/24. "
                    + "Each range must lie inside an enabled IPv4 pool and be /22 to /32. Nodes not listed get "
                    + "a range derived from their name.")
    String ranges() default "";

    @AttributeDefinition(name = "Prefix length of derived ranges",
            description = "Nodes without a fixed range get the n-th network of this length (22-30) of the first "
                    + "enabled IPv4 pool that selects them, n a stable hash of the node name.")
    int rangePrefixLength() default RangeSettings.DEFAULT_PREFIX_LENGTH;
}
