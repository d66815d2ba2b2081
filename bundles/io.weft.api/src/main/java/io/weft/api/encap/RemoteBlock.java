package io.weft.api.encap;

import java.net.InetAddress;

import io.weft.api.model.EncapsulationMode;
import io.weft.api.net.Cidr;

/**
 * "Block {@code block} lives on node {@code node}": the fact an encapsulation provider turns into
 * kernel state.
 *
 * @param block         the remote node's affine block (or a borrowed /32)
 * @param node          the remote node's name
 * @param nodeAddress   the remote node's underlay address
 * @param tunnelAddress the remote node's tunnel address, {@code null} when it has none
 * @param tunnelMac     the remote node's VXLAN MAC, {@code null} when not VXLAN
 * @param mode          Always or CrossSubnet (the pool's mode for this provider)
 */
public record RemoteBlock(Cidr block, String node, InetAddress nodeAddress, InetAddress tunnelAddress,
        String tunnelMac, EncapsulationMode mode) {
}
