package io.weft.netlink.internal;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * The attributes of one message or nest, indexed by type (last one wins, as the kernel
 * emits each once). Views share the message's bytes.
 */
public final class Attributes {
    private static final int MAX_TYPE = 64;
    private final ByteBuffer buf;
    private final int[] offset = new int[MAX_TYPE];
    private final int[] length = new int[MAX_TYPE];

    /** Parses attributes in {@code buf} from its position to its limit. */
    public Attributes(ByteBuffer buf) {
        this.buf = buf.duplicate().order(ByteOrder.nativeOrder());
        java.util.Arrays.fill(offset, -1);
        int pos = buf.position();
        int end = buf.limit();
        while (pos + 4 <= end) {
            int len = Short.toUnsignedInt(this.buf.getShort(pos));
            int type = Short.toUnsignedInt(this.buf.getShort(pos + 2)) & 0x3fff; // strip NLA_F_NESTED / NET_BYTEORDER
            if (len < 4 || pos + len > end) {
                break; // malformed tail: ignore rather than read past the message
            }
            if (type < MAX_TYPE) {
                offset[type] = pos + 4;
                length[type] = len - 4;
            }
            pos += MessageBuilder.align(len);
        }
    }

    public boolean has(int type) {
        return type < MAX_TYPE && offset[type] >= 0;
    }

    public ByteBuffer slice(int type) {
        if (!has(type)) {
            return null;
        }
        ByteBuffer b = buf.duplicate().order(ByteOrder.nativeOrder());
        b.limit(offset[type] + length[type]).position(offset[type]);
        return b.slice().order(ByteOrder.nativeOrder());
    }

    public Attributes nested(int type) {
        ByteBuffer b = slice(type);
        return b == null ? null : new Attributes(b);
    }

    public byte[] bytes(int type) {
        ByteBuffer b = slice(type);
        if (b == null) {
            return null;
        }
        byte[] out = new byte[b.remaining()];
        b.get(out);
        return out;
    }

    public Integer u32(int type) {
        return has(type) && length[type] >= 4 ? buf.getInt(offset[type]) : null;
    }

    public Integer u8(int type) {
        return has(type) && length[type] >= 1 ? Byte.toUnsignedInt(buf.get(offset[type])) : null;
    }

    public Integer be16(int type) {
        return has(type) && length[type] >= 2
                ? (Byte.toUnsignedInt(buf.get(offset[type])) << 8) | Byte.toUnsignedInt(buf.get(offset[type] + 1))
                : null;
    }

    public String string(int type) {
        byte[] b = bytes(type);
        if (b == null) {
            return null;
        }
        int n = 0;
        while (n < b.length && b[n] != 0) {
            n++;
        }
        return new String(b, 0, n, StandardCharsets.UTF_8);
    }

    public InetAddress address(int type) {
        byte[] b = bytes(type);
        if (b == null || (b.length != 4 && b.length != 16)) {
            return null;
        }
        try {
            return InetAddress.getByAddress(b);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e); // cannot happen for 4 or 16 bytes
        }
    }
}
