/**
 * The host-local IPAM provider: {@link io.weft.ipam.hostlocal.HostLocalIpam}, an
 * {@link io.weft.api.ipam.IpamService} handing each node's pods addresses from one fixed range.
 * Not exported: consumers use the SPI.
 */
package io.weft.ipam.hostlocal;
