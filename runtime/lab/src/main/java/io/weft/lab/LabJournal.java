package io.weft.lab;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * What a lab created, one line per thing, written (and forced to disk) <em>before</em> the thing is
 * created. `down` replays it, so even after `up` was killed half way nothing it made is forgotten:
 * at worst the journal names something that never came to be, and removing that is a no-op.
 *
 * <p>Lines are tab-separated: {@code netns NAME}, {@code process ROLE PID}, {@code pod NODE
 * NAMESPACE NAME CONTAINER-ID NETNS}, {@code pod-ip CONTAINER-ID IP}.
 */
final class LabJournal {
    static final String FILE = "journal";

    record Entry(String kind, List<String> fields) {
        String field(int i) {
            return fields.get(i);
        }
    }

    private final Path file;

    LabJournal(Path labDir) {
        this.file = labDir.resolve(FILE);
    }

    Path file() {
        return file;
    }

    boolean exists() {
        return Files.exists(file);
    }

    synchronized void record(String kind, String... fields) throws LabException {
        for (String f : fields) {
            if (f.contains("\t") || f.contains("\n")) {
                throw new IllegalArgumentException("journal field with a tab or newline: " + f);
            }
        }
        String line = kind + (fields.length == 0 ? "" : "\t" + String.join("\t", fields)) + "\n";
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.APPEND)) {
            channel.write(ByteBuffer.wrap(line.getBytes(StandardCharsets.UTF_8)));
            channel.force(false);
        } catch (IOException e) {
            throw new LabException("cannot write the lab journal " + file + ": " + e.getMessage(), e);
        }
    }

    List<Entry> entries() throws LabException {
        List<Entry> entries = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(file)) {
                if (line.isBlank()) {
                    continue; // a line cut short by a crash has no newline yet; a blank one means nothing
                }
                String[] parts = line.split("\t");
                entries.add(new Entry(parts[0], List.of(Arrays.copyOfRange(parts, 1, parts.length))));
            }
        } catch (NoSuchFileException e) {
            return List.of();
        } catch (IOException e) {
            throw new LabException("cannot read the lab journal " + file + ": " + e.getMessage(), e);
        }
        return entries;
    }

    List<Entry> entries(String kind) throws LabException {
        return entries().stream().filter(e -> e.kind().equals(kind)).toList();
    }
}
