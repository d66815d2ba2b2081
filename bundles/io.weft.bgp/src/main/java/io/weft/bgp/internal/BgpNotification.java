package io.weft.bgp.internal;

/**
 * An error that ends the session with a NOTIFICATION (RFC 4271 section 6). Thrown by the codec
 * and the state machine, caught by the session, never beyond it. No stack trace: a malformed
 * message is an input, not a bug.
 */
final class BgpNotification extends Exception {
    static final int HEADER = 1, OPEN = 2, UPDATE = 3, HOLD_TIMER = 4, FSM = 5, CEASE = 6, ROUTE_REFRESH = 7;

    final int code;
    final int subcode;
    final byte[] data;

    BgpNotification(int code, int subcode, byte[] data, String message) {
        super(message, null, false, false);
        this.code = code;
        this.subcode = subcode;
        this.data = data == null ? new byte[0] : data;
    }

    BgpNotification(int code, int subcode, String message) {
        this(code, subcode, null, message);
    }

    /** RFC 4271 / 4486 names, for logs and the operational view. */
    static String describe(int code, int subcode) {
        String c = switch (code) {
            case HEADER -> "Message header error";
            case OPEN -> "OPEN message error";
            case UPDATE -> "UPDATE message error";
            case HOLD_TIMER -> "Hold timer expired";
            case FSM -> "Finite state machine error";
            case CEASE -> "Cease";
            case ROUTE_REFRESH -> "ROUTE-REFRESH message error";
            default -> "Error code " + code;
        };
        String s = switch (code * 100 + subcode) {
            case 101 -> "connection not synchronized";
            case 102 -> "bad message length";
            case 103 -> "bad message type";
            case 201 -> "unsupported version number";
            case 202 -> "bad peer AS";
            case 203 -> "bad BGP identifier";
            case 204 -> "unsupported optional parameter";
            case 206 -> "unacceptable hold time";
            case 207 -> "unsupported capability";
            case 301 -> "malformed attribute list";
            case 302 -> "unrecognized well-known attribute";
            case 303 -> "missing well-known attribute";
            case 304 -> "attribute flags error";
            case 305 -> "attribute length error";
            case 306 -> "invalid ORIGIN attribute";
            case 308 -> "invalid NEXT_HOP attribute";
            case 309 -> "optional attribute error";
            case 310 -> "invalid network field";
            case 311 -> "malformed AS_PATH";
            case 601 -> "maximum number of prefixes reached";
            case 602 -> "administrative shutdown";
            case 603 -> "peer de-configured";
            case 604 -> "administrative reset";
            case 605 -> "connection rejected";
            case 606 -> "other configuration change";
            case 607 -> "connection collision resolution";
            case 608 -> "out of resources";
            default -> subcode == 0 ? null : "subcode " + subcode;
        };
        return s == null ? c : c + ": " + s;
    }
}
