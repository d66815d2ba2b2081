package io.weft.netlink.internal;

import java.util.Map;

/** errno numbers (Linux, x86-64 and arm64 agree on these) and their names. */
public final class Errno {
    private Errno() {
    }

    public static final int EPERM = 1;
    public static final int ENOENT = 2;
    public static final int ESRCH = 3;
    public static final int EINTR = 4;
    public static final int EAGAIN = 11;
    public static final int ENOMEM = 12;
    public static final int EACCES = 13;
    public static final int EBUSY = 16;
    public static final int EEXIST = 17;
    public static final int ENODEV = 19;
    public static final int EINVAL = 22;
    public static final int ERANGE = 34;
    public static final int ENOTSUP = 95;
    public static final int EAFNOSUPPORT = 97;
    public static final int EADDRINUSE = 98;
    public static final int EADDRNOTAVAIL = 99;
    public static final int ENETDOWN = 100;
    public static final int ENETUNREACH = 101;
    public static final int ENOBUFS = 105;
    public static final int EHOSTUNREACH = 113;

    private static final Map<Integer, String[]> NAMES = Map.ofEntries(
            Map.entry(EPERM, new String[] {"EPERM", "Operation not permitted"}),
            Map.entry(ENOENT, new String[] {"ENOENT", "No such file or directory"}),
            Map.entry(ESRCH, new String[] {"ESRCH", "No such process"}),
            Map.entry(EINTR, new String[] {"EINTR", "Interrupted system call"}),
            Map.entry(EAGAIN, new String[] {"EAGAIN", "Resource temporarily unavailable"}),
            Map.entry(ENOMEM, new String[] {"ENOMEM", "Cannot allocate memory"}),
            Map.entry(EACCES, new String[] {"EACCES", "Permission denied"}),
            Map.entry(EBUSY, new String[] {"EBUSY", "Device or resource busy"}),
            Map.entry(EEXIST, new String[] {"EEXIST", "File exists"}),
            Map.entry(ENODEV, new String[] {"ENODEV", "No such device"}),
            Map.entry(EINVAL, new String[] {"EINVAL", "Invalid argument"}),
            Map.entry(ERANGE, new String[] {"ERANGE", "Numerical result out of range"}),
            Map.entry(ENOTSUP, new String[] {"EOPNOTSUPP", "Operation not supported"}),
            Map.entry(EAFNOSUPPORT, new String[] {"EAFNOSUPPORT", "Address family not supported by protocol"}),
            Map.entry(EADDRINUSE, new String[] {"EADDRINUSE", "Address already in use"}),
            Map.entry(EADDRNOTAVAIL, new String[] {"EADDRNOTAVAIL", "Cannot assign requested address"}),
            Map.entry(ENETDOWN, new String[] {"ENETDOWN", "Network is down"}),
            Map.entry(ENETUNREACH, new String[] {"ENETUNREACH", "Network is unreachable"}),
            Map.entry(ENOBUFS, new String[] {"ENOBUFS", "No buffer space available"}),
            Map.entry(EHOSTUNREACH, new String[] {"EHOSTUNREACH", "No route to host"}));

    public static String name(int errno) {
        String[] n = NAMES.get(errno);
        return n == null ? "errno " + errno : n[0];
    }

    public static String describe(int errno) {
        String[] n = NAMES.get(errno);
        return n == null ? "errno " + errno : n[0] + " (" + n[1] + ")";
    }
}
