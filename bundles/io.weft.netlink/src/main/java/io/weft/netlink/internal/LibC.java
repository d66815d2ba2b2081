package io.weft.netlink.internal;

import com.sun.jna.LastErrorException;
import com.sun.jna.Native;

/**
 * The few libc calls netlink needs, bound directly (JNA direct mapping: no proxy per call).
 * Everything above this class is pure Java.
 */
public final class LibC {
    static {
        Native.register("c");
    }

    private LibC() {
    }

    public static final int AF_NETLINK = 16;
    public static final int SOCK_RAW = 3;
    public static final int SOCK_CLOEXEC = 0x80000;
    public static final int NETLINK_ROUTE = 0;
    public static final int SOL_SOCKET = 1;
    public static final int SO_SNDBUF = 7;
    public static final int SO_RCVBUF = 8;
    public static final int SO_RCVBUFFORCE = 33;
    public static final int SO_SNDBUFFORCE = 32;
    public static final int SOL_NETLINK = 270;
    public static final int NETLINK_ADD_MEMBERSHIP = 1;
    public static final int NETLINK_DROP_MEMBERSHIP = 2;
    public static final int NETLINK_CAP_ACK = 10;
    public static final int NETLINK_EXT_ACK = 11;
    public static final int NETLINK_GET_STRICT_CHK = 12;
    public static final int O_RDONLY = 0;
    public static final int O_CLOEXEC = 0x80000;
    public static final int CLONE_NEWNET = 0x40000000;
    public static final int MSG_DONTWAIT = 0x40;

    public static native int socket(int domain, int type, int protocol) throws LastErrorException;

    public static native int bind(int fd, byte[] address, int length) throws LastErrorException;

    public static native int getsockname(int fd, byte[] address, int[] length) throws LastErrorException;

    public static native int setsockopt(int fd, int level, int option, int[] value, int length) throws LastErrorException;

    public static native long send(int fd, java.nio.ByteBuffer buffer, long length, int flags) throws LastErrorException;

    public static native long recv(int fd, java.nio.ByteBuffer buffer, long length, int flags) throws LastErrorException;

    public static native int close(int fd) throws LastErrorException;

    public static native int open(String path, int flags) throws LastErrorException;

    public static native int setns(int fd, int nstype) throws LastErrorException;
}
