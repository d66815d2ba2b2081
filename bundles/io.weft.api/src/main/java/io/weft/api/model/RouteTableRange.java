package io.weft.api.model;

/**
 * Kernel routing table numbers Felix may use for its own tables, inclusive; kept configurable
 * so that they do not collide with tables other software on the host owns.
 */
public record RouteTableRange(int min, int max) {
}
