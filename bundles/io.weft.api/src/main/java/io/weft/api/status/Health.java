package io.weft.api.status;

/** How a component is doing, worst last. */
public enum Health {
    UP, DEGRADED, DOWN
}
