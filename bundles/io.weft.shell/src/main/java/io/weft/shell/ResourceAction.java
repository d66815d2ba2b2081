package io.weft.shell;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.lifecycle.Reference;

import io.weft.api.resource.ResourceCodec;
import io.weft.api.resource.ResourceStore;
import io.weft.cli.ResourceCommands;

/** Shared by the resource verbs: the services they need and how an outcome is printed. */
abstract class ResourceAction implements Action {

    @Reference(optional = true)
    ResourceStore store;

    @Reference(optional = true)
    ResourceCodec codec;

    @Override
    public Object execute() throws Exception {
        if (store == null || codec == null) {
            System.err.println("Resource administration needs a resource store and codec: "
                    + (codec == null ? "install feature weft-codec" : "install feature weft-core")
                    + " (see weft:status)");
            return null;
        }
        ResourceCommands.Outcome outcome = run(new ResourceCommands(store, codec));
        System.out.print(outcome.out());
        System.err.print(outcome.err());
        return null;
    }

    abstract ResourceCommands.Outcome run(ResourceCommands commands) throws Exception;

    /**
     * Karaf reads options only before the first argument, but calicoctl users put them after
     * ({@code get ippool -o wide}): read the trailing tokens again with weftctl's parser.
     */
    static io.weft.cli.CtlCommandLine trailing(String verb, java.util.List<String> tokens) {
        java.util.List<String> all = new java.util.ArrayList<>();
        all.add(verb);
        all.addAll(tokens);
        return io.weft.cli.CtlCommandLine.parse(all);
    }

    static <T> T either(T fromTrailing, T fromOption) {
        return fromTrailing != null ? fromTrailing : fromOption;
    }

    /** Reads {@code -f FILE} (a path on the node). */
    static String readFile(String file) throws IOException {
        try {
            return Files.readString(Path.of(file), StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new IOException("no such file: " + file);
        }
    }
}
