package io.weft.api.model;

import java.time.Instant;
import java.util.Map;

/**
 * The Kubernetes-style metadata every Calico resource carries. Only the fields Calico reads or
 * calicoctl prints are modelled; {@code uid}, {@code resourceVersion} and
 * {@code creationTimestamp} are set by the datastore, never by users.
 *
 * @param namespace null for cluster-scoped kinds
 * @param resourceVersion opaque revision used for compare-and-swap updates; null before the first write
 */
public record ObjectMeta(
        String name,
        String namespace,
        Map<String, String> labels,
        Map<String, String> annotations,
        String uid,
        String resourceVersion,
        Instant creationTimestamp) {

    /** No name, no labels: what a decoded resource without a metadata section gets. */
    public static final ObjectMeta EMPTY = new ObjectMeta(null, null, null, null, null, null, null);

    public ObjectMeta {
        labels = Copies.stringMap(labels);
        annotations = Copies.stringMap(annotations);
    }

    public static ObjectMeta named(String name) {
        return new ObjectMeta(name, null, null, null, null, null, null);
    }

    public static ObjectMeta namespaced(String namespace, String name) {
        return new ObjectMeta(name, namespace, null, null, null, null, null);
    }

    public ObjectMeta withResourceVersion(String resourceVersion) {
        return new ObjectMeta(name, namespace, labels, annotations, uid, resourceVersion, creationTimestamp);
    }

    public ObjectMeta withLabels(Map<String, String> labels) {
        return new ObjectMeta(name, namespace, labels, annotations, uid, resourceVersion, creationTimestamp);
    }

    public ObjectMeta withAnnotations(Map<String, String> annotations) {
        return new ObjectMeta(name, namespace, labels, annotations, uid, resourceVersion, creationTimestamp);
    }

    /** What the datastore stamps on a resource when it is first created. */
    public ObjectMeta withCreation(String uid, Instant creationTimestamp) {
        return new ObjectMeta(name, namespace, labels, annotations, uid, resourceVersion, creationTimestamp);
    }
}
