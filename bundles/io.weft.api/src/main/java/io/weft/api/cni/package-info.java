/**
 * The CNI handler SPI: the node runtime's CNI server hands each request from the CNI shim to
 * the handler registered for the network configuration's plugin type. Since 0.2.0 the node agent
 * tells the handler the pod MTU its encapsulations allow ({@link io.weft.api.cni.PodNetworkSettings}).
 */
@Version("0.2.0")
@Export
package io.weft.api.cni;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
