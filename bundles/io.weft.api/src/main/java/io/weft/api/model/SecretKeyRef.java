package io.weft.api.model;

/**
 * A reference to one key of a Kubernetes Secret. BGP passwords are always given this way, never
 * inline, so that resources can be printed, exported and stored in etcd without leaking the
 * secret; the password is read from the Secret only where the BGP session is configured.
 *
 * <p>On the wire Calico nests it one level deeper than this record: {@code password:
 * {secretKeyRef: {name: ..., key: ...}}}.
 *
 * @param name the Secret, in the namespace the node agent runs in
 * @param key the entry within the Secret holding the password
 */
public record SecretKeyRef(String name, String key) {
}
