package io.weft.api.model;

/**
 * Links a Calico node to the same host in an orchestrator, whose node name may differ.
 *
 * @param orchestrator {@code k8s} for Kubernetes
 */
public record OrchRef(String nodeName, String orchestrator) {
}
