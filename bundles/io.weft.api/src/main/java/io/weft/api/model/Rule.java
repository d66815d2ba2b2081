package io.weft.api.model;

/**
 * One rule of a policy: what to match and what to do with it.
 *
 * @param protocol {@code TCP}, {@code UDP}, {@code ICMP}, {@code ICMPv6}, {@code SCTP},
 *        {@code UDPLite} or a protocol number as text; null for any. Needed when ports are given
 * @param source where matching traffic comes from; never null
 * @param destination where matching traffic goes; never null
 * @param ipVersion 4 or 6 to restrict the rule to one family; null for both
 * @param notProtocol protocol the traffic must not use
 * @param icmp ICMP type and code; only with protocol ICMP or ICMPv6
 */
public record Rule(
        Action action,
        String protocol,
        EntityRule source,
        EntityRule destination,
        Integer ipVersion,
        String notProtocol,
        ICMPFields icmp) {

    public Rule {
        source = source == null ? EntityRule.EMPTY : source;
        destination = destination == null ? EntityRule.EMPTY : destination;
    }

    /** A rule that applies {@code action} to all traffic. */
    public static Rule of(Action action) {
        return new Rule(action, null, null, null, null, null, null);
    }
}
