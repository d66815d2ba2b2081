package io.weft.datastore.etcd;

import io.weft.api.datastore.DatastoreException;

/**
 * etcd answered a request with an error. Carries etcd's own message (e.g. {@code etcdserver:
 * requested lease not found}) and gRPC status code so callers can map the ones they expect.
 */
final class EtcdServerException extends DatastoreException {
    private static final long serialVersionUID = 1L;

    /** gRPC status codes the gateway reports in its {@code code} field. */
    static final int PERMISSION_DENIED = 7;
    static final int UNAUTHENTICATED = 16;

    static final String LEASE_NOT_FOUND = "etcdserver: requested lease not found";
    static final String INVALID_AUTH_TOKEN = "etcdserver: invalid auth token";

    private final int code;
    private final String etcdMessage;

    EtcdServerException(String message, int code, String etcdMessage) {
        super(message);
        this.code = code;
        this.etcdMessage = etcdMessage;
    }

    int code() {
        return code;
    }

    /** etcd's message as it sent it. */
    String etcdMessage() {
        return etcdMessage;
    }

    boolean isLeaseNotFound() {
        return LEASE_NOT_FOUND.equals(etcdMessage);
    }

    boolean isInvalidToken() {
        return code == UNAUTHENTICATED || INVALID_AUTH_TOKEN.equals(etcdMessage);
    }
}
