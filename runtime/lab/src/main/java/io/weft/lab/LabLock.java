package io.weft.lab;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * One command at a time changes a lab: `up` holds this lock while it builds, `down` while it tears
 * down, so a `down` run while `up` is still adding pods cannot miss what `up` adds after it read
 * the journal. The kernel drops the lock when its holder dies, so a killed `up` never blocks `down`.
 */
final class LabLock implements AutoCloseable {
    private static final String FILE = "lock";
    private final FileChannel channel;
    private final FileLock lock;

    private LabLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    static LabLock acquire(Path labDir, String what) throws LabException {
        Path file = labDir.resolve(FILE);
        FileChannel channel = null;
        try {
            channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.READ);
            FileLock lock = channel.tryLock();
            if (lock == null) {
                String holder = Files.readString(file, StandardCharsets.UTF_8).trim();
                channel.close();
                throw new LabException("another weft-lab command (" + (holder.isEmpty() ? "unknown" : holder)
                        + ") is working on lab " + labDir.getFileName() + "; wait for it to end, or stop it, and run "
                        + what + " again");
            }
            channel.truncate(0);
            channel.write(ByteBuffer.wrap((what + ", pid " + ProcessHandle.current().pid())
                    .getBytes(StandardCharsets.UTF_8)));
            return new LabLock(channel, lock);
        } catch (IOException e) {
            if (channel != null) {
                try {
                    channel.close();
                } catch (IOException ignored) {
                    // nothing held
                }
            }
            throw new LabException("cannot lock " + file + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        try {
            lock.release();
        } catch (IOException e) {
            // the lock goes with the channel anyway
        }
        try {
            channel.close();
        } catch (IOException e) {
            // closing a lock file cannot lose anything
        }
    }
}
