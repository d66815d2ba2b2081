/**
 * Weft's rtnetlink library: the only code that programs the kernel's networking. Open an
 * {@link io.weft.netlink.RtNetlink} in a {@link io.weft.netlink.Netns}, then create links
 * (veth, VXLAN, IPIP), addresses, routes, neighbours and FDB entries, one request at a time or
 * pipelined in a {@link io.weft.netlink.Batch}; {@link io.weft.netlink.Sysctl} sets a
 * namespace's sysctls and {@link io.weft.netlink.Subscription} follows kernel changes.
 */
@Version("0.2.0")
@Export
package io.weft.netlink;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
