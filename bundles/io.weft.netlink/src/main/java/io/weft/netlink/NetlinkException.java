package io.weft.netlink;

import io.weft.netlink.internal.Errno;

/**
 * The kernel refused a request, or the namespace/socket could not be used. The message says
 * the request in words and the errno, e.g.
 * {@code route add 10.244.1.0/26 via 10.0.0.2 dev eth0: ENETUNREACH (Network is unreachable)},
 * plus the kernel's own explanation when it gives one.
 */
public class NetlinkException extends Exception {
    private static final long serialVersionUID = 1L;
    private final int errno;
    private final String request;

    public NetlinkException(String request, int errno, String kernelMessage) {
        super(request + ": " + Errno.describe(errno) + (kernelMessage == null || kernelMessage.isEmpty() ? "" : ": " + kernelMessage));
        this.errno = errno;
        this.request = request;
    }

    public NetlinkException(String message, Throwable cause) {
        super(message, cause);
        this.errno = 0;
        this.request = message;
    }

    /** The errno, 0 when the failure was not the kernel's answer. */
    public int errno() {
        return errno;
    }

    /** E.g. {@code EEXIST}. */
    public String errnoName() {
        return Errno.name(errno);
    }

    /** The request in words. */
    public String request() {
        return request;
    }

    /** The object already exists (EEXIST): an idempotent "add" can treat this as done. */
    public boolean isAlreadyExists() {
        return errno == Errno.EEXIST;
    }

    /** The object (or the device it names) does not exist: an idempotent "delete" can treat this as done. */
    public boolean isNotFound() {
        return errno == Errno.ENOENT || errno == Errno.ESRCH || errno == Errno.ENODEV || errno == Errno.EADDRNOTAVAIL;
    }
}
