package io.weft.api.cni;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Handles CNI requests for one plugin type. The CNI server picks the handler whose
 * {@code weft.provider} property equals the network configuration's {@code type} ({@code weft},
 * or {@code calico} for conflists written for Calico).
 */
@ConsumerType
public interface CniHandler {
    CniResponse handle(CniRequest request);
}
