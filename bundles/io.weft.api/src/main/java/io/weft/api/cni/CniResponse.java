package io.weft.api.cni;

/**
 * What the shim prints and exits with.
 *
 * @param exitCode 0 on success; otherwise the CNI error code also carried in {@code stdout}'s
 *                 error JSON (1 incompatible version … 11 try again later, 100+ plugin-specific)
 * @param stdout   the result or error JSON
 * @param stderr   diagnostics for the runtime's logs
 */
public record CniResponse(int exitCode, byte[] stdout, byte[] stderr) {
    public CniResponse {
        stdout = stdout == null ? new byte[0] : stdout;
        stderr = stderr == null ? new byte[0] : stderr;
    }
}
