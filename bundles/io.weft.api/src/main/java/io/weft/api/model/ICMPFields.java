package io.weft.api.model;

/**
 * ICMP type and code to match; null matches any.
 */
public record ICMPFields(Integer type, Integer code) {
}
