package io.weft.datastore.embedded;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A second store on the same directory is refused with a message saying why, until the first closes. */
class DirectoryLockTest {

    @Test
    void secondOpenerIsRefusedUntilTheFirstCloses(@TempDir Path dir) throws Exception {
        EmbeddedDatastore first = new EmbeddedDatastore(dir, 1 << 20);
        IOException refused = assertThrows(IOException.class, () -> new EmbeddedDatastore(dir, 1 << 20));
        assertTrue(refused.getMessage().contains("is in use by another process"), refused.getMessage());
        first.deactivate();
        EmbeddedDatastore second = new EmbeddedDatastore(dir, 1 << 20);
        second.deactivate();
    }
}
