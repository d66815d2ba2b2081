package io.weft.api.ipam;

import java.net.InetAddress;
import java.util.List;

import org.osgi.annotation.versioning.ProviderType;

/**
 * Hands out and takes back addresses. Implementations: Calico's block-affinity allocator (the
 * default) and simpler ones such as a fixed per-node range; they register with the
 * {@code weft.provider} property ({@code block}, {@code host-local}) and may be swapped at runtime.
 *
 * <p>Every method is safe to call concurrently from many nodes: no address is ever owned twice.
 * Release methods are idempotent.
 */
@ProviderType
public interface IpamService {

    /** Assigns addresses from the eligible pools; all or nothing. */
    Assignment assign(AssignRequest request) throws IpamException;

    /** Claims one specific address (a static pod IP, a reserved tunnel address). */
    void assignAddress(InetAddress address, String handleId, String node, IntendedUse use,
            java.util.Map<String, String> attributes) throws IpamException;

    /** Releases every address held by a handle; returns them (empty if the handle is unknown). */
    List<InetAddress> releaseHandle(String handleId) throws IpamException;

    /** Releases addresses directly (administration, leak repair); returns those that were in use. */
    List<InetAddress> releaseAddresses(List<InetAddress> addresses) throws IpamException;

    /** The addresses a handle holds now. */
    List<InetAddress> addressesOf(String handleId) throws IpamException;
}
