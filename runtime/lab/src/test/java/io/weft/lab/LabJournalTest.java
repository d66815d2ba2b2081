package io.weft.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LabJournalTest {
    @TempDir
    Path dir;

    @Test
    void entriesComeBackInOrderAndACutLastLineIsIgnored() throws Exception {
        LabJournal journal = new LabJournal(dir);
        journal.record("netns", "t-sw");
        journal.record("pod", "n1", "default", "a", "weftlab-t-default-a", "t-default.a");
        Files.writeString(journal.file(), "netns\tt-half", java.nio.file.StandardOpenOption.APPEND);
        List<LabJournal.Entry> entries = journal.entries();
        assertEquals(3, entries.size());
        assertEquals(List.of("t-sw"), entries.get(0).fields());
        assertEquals("t-default.a", journal.entries("pod").get(0).field(4));
        // a line cut by a crash still names its thing: removing a namespace that never was is a no-op
        assertEquals("t-half", entries.get(2).field(0));
        assertThrows(IllegalArgumentException.class, () -> journal.record("netns", "a\tb"));
    }
}
