package io.weft.lab;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Runs the host's tools (ip, sysctl, the shim, weftctl) and reports failures with their output. */
final class Host {
    private Host() {
    }

    record Result(int exitCode, String stdout, String stderr) {
        boolean ok() {
            return exitCode == 0;
        }
    }

    /** Runs a command to completion; a command still running after {@code timeoutSeconds} is killed. */
    static Result run(List<String> command, Map<String, String> env, String stdin, long timeoutSeconds)
            throws LabException {
        ProcessBuilder pb = new ProcessBuilder(command);
        if (env != null) {
            pb.environment().putAll(env);
        }
        Process process;
        try {
            process = pb.start();
        } catch (IOException e) {
            throw new LabException("cannot run " + command.get(0) + " (" + e.getMessage() + "); is it installed?", e);
        }
        CompletableFuture<String> out = drain(process.getInputStream());
        CompletableFuture<String> err = drain(process.getErrorStream());
        try (OutputStream in = process.getOutputStream()) {
            if (stdin != null) {
                in.write(stdin.getBytes(StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            // the command may exit without reading its input; its exit code and stderr tell why
        }
        try {
            if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
                throw new LabException(String.join(" ", command) + " did not finish in " + timeoutSeconds + " s");
            }
            return new Result(process.exitValue(), out.join(), err.join());
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new LabException("interrupted while running " + String.join(" ", command), e);
        }
    }

    /** Runs a command that must succeed. */
    static String must(String... command) throws LabException {
        Result r = run(List.of(command), null, null, 60);
        if (!r.ok()) {
            throw new LabException(String.join(" ", command) + " failed (exit " + r.exitCode() + "): "
                    + (r.stderr().isBlank() ? r.stdout() : r.stderr()).trim());
        }
        return r.stdout();
    }

    /** Runs a command whose failure does not matter (cleanup of what may already be gone). */
    static Result quietly(String... command) {
        try {
            return run(List.of(command), null, null, 60);
        } catch (LabException e) {
            return new Result(-1, "", e.getMessage());
        }
    }

    private static CompletableFuture<String> drain(InputStream stream) {
        return CompletableFuture.supplyAsync(() -> {
            try (stream) {
                return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                return "";
            }
        });
    }
}
