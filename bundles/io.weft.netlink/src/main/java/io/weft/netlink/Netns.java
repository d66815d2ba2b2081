package io.weft.netlink;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicReference;

import com.sun.jna.LastErrorException;

import io.weft.netlink.internal.Errno;
import io.weft.netlink.internal.LibC;

/**
 * A network namespace, by the file that pins it ({@code /var/run/netns/NAME},
 * {@code /proc/PID/ns/net}). Work inside it runs on a short-lived thread that joined it with
 * {@code setns}, so the caller's thread never changes namespace; sockets and files opened there
 * stay bound to the namespace afterwards.
 */
public final class Netns {

    /** Where {@code ip netns add} pins named namespaces. */
    public static final Path NAMED_DIR = Path.of("/var/run/netns");

    private static final Netns CURRENT = new Netns(null);
    private final Path path;

    private Netns(Path path) {
        this.path = path;
    }

    /** The namespace of the calling process: work runs on the caller's thread. */
    public static Netns current() {
        return CURRENT;
    }

    /** A namespace created by {@code ip netns add NAME}. */
    public static Netns named(String name) {
        if (name == null || name.isEmpty() || name.contains("/") || name.equals(".") || name.equals("..")) {
            throw new IllegalArgumentException("not a network namespace name: '" + name + "'");
        }
        return new Netns(NAMED_DIR.resolve(name));
    }

    /**
     * A {@code hostNetns} setting as every Weft component reads it: blank means the node runtime's own
     * namespace, anything else a namespace made by {@code ip netns add} (lab nodes).
     */
    public static Netns hostSetting(String name) {
        return name == null || name.isBlank() ? CURRENT : named(name.trim());
    }

    /** A namespace by file, e.g. a CNI_NETNS path. */
    public static Netns ofPath(Path path) {
        return new Netns(Objects.requireNonNull(path, "path"));
    }

    /** The namespace a process lives in. */
    public static Netns ofPid(long pid) {
        return new Netns(Path.of("/proc", Long.toString(pid), "ns", "net"));
    }

    /** The pinning file, or {@code null} for {@link #current()}. */
    public Path path() {
        return path;
    }

    public boolean exists() {
        return path == null || Files.exists(path);
    }

    /** Work to do inside the namespace. */
    @FunctionalInterface
    public interface Task<T> {
        T run() throws Exception;
    }

    /**
     * Runs {@code task} inside this namespace and returns its result. Fails with ENOENT when the
     * namespace is gone (a pod deleted meanwhile), which idempotent callers treat as done.
     */
    public <T> T call(Task<T> task) throws NetlinkException {
        if (path == null) {
            return unwrap(task);
        }
        AtomicReference<Object> result = new AtomicReference<>();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread worker = new Thread(() -> {
            int fd = -1;
            try {
                fd = openFd();
                LibC.setns(fd, LibC.CLONE_NEWNET);
                result.set(task.run());
            } catch (LastErrorException e) {
                failure.set(new NetlinkException("enter network namespace " + path, e.getErrorCode(), null));
            } catch (Throwable t) {
                failure.set(t);
            } finally {
                if (fd >= 0) {
                    LibC.close(fd);
                }
            }
        }, "weft-netns-" + path.getFileName());
        // this thread is in another namespace now: it must die, never go back to a pool
        worker.setDaemon(true);
        worker.start();
        try {
            worker.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new NetlinkException("interrupted while working in network namespace " + path, e);
        }
        Throwable t = failure.get();
        if (t != null) {
            if (t instanceof NetlinkException n) {
                throw n;
            }
            if (t instanceof RuntimeException r) {
                throw r;
            }
            throw new NetlinkException("in network namespace " + path + ": " + t, t);
        }
        @SuppressWarnings("unchecked")
        T value = (T) result.get();
        return value;
    }

    private static <T> T unwrap(Task<T> task) throws NetlinkException {
        try {
            return task.run();
        } catch (NetlinkException | RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new NetlinkException(e.toString(), e instanceof ExecutionException ? e.getCause() : e);
        }
    }

    /** Opens the namespace file; the caller closes the descriptor ({@link LibC#close}). */
    int openFd() throws NetlinkException {
        if (path == null) {
            return openPath(Path.of("/proc/self/ns/net"));
        }
        return openPath(path);
    }

    private static int openPath(Path p) throws NetlinkException {
        try {
            return LibC.open(p.toString(), LibC.O_RDONLY | LibC.O_CLOEXEC);
        } catch (LastErrorException e) {
            if (e.getErrorCode() == Errno.ENOENT) {
                throw new NetlinkException("network namespace " + p + " does not exist", Errno.ENOENT, null);
            }
            throw new NetlinkException("open network namespace " + p, e.getErrorCode(), null);
        }
    }

    @Override
    public String toString() {
        return path == null ? "netns(current)" : "netns(" + path + ")";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Netns n && Objects.equals(path, n.path);
    }

    @Override
    public int hashCode() {
        return Objects.hashCode(path);
    }
}
