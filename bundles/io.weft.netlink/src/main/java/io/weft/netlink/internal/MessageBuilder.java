package io.weft.netlink.internal;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Writes one netlink message: the 16-byte header, a family header and (nested) attributes,
 * each padded to 4 bytes, in the host's byte order. The sequence number is filled in when the
 * message is sent.
 */
public final class MessageBuilder {

    private ByteBuffer buf;
    private final int[] nests = new int[16];
    private int depth;

    public MessageBuilder(short type, short flags) {
        buf = ByteBuffer.allocate(256).order(ByteOrder.nativeOrder());
        buf.putInt(0).putShort(type).putShort(flags).putInt(0).putInt(0);
    }

    private void ensure(int more) {
        if (buf.remaining() < more) {
            ByteBuffer bigger = ByteBuffer.allocate(Math.max(buf.capacity() * 2, buf.position() + more + 64))
                    .order(ByteOrder.nativeOrder());
            buf.flip();
            bigger.put(buf);
            buf = bigger;
        }
    }

    public MessageBuilder u8(int v) {
        ensure(1);
        buf.put((byte) v);
        return this;
    }

    public MessageBuilder u16(int v) {
        ensure(2);
        buf.putShort((short) v);
        return this;
    }

    public MessageBuilder u32(int v) {
        ensure(4);
        buf.putInt(v);
        return this;
    }

    /** ifinfomsg: family, type, index, flags, change. */
    public MessageBuilder ifinfo(int family, int index, int flags, int change) {
        return u8(family).u8(0).u16(0).u32(index).u32(flags).u32(change);
    }

    /** ifaddrmsg: family, prefix length, flags, scope, index. */
    public MessageBuilder ifaddr(int family, int prefixLength, int flags, int scope, int index) {
        return u8(family).u8(prefixLength).u8(flags).u8(scope).u32(index);
    }

    /** rtmsg: family, dst_len, src_len, tos, table, protocol, scope, type, flags. */
    public MessageBuilder rtmsg(int family, int dstLength, int table, int protocol, int scope, int type, int flags) {
        return u8(family).u8(dstLength).u8(0).u8(0).u8(table).u8(protocol).u8(scope).u8(type).u32(flags);
    }

    /** ndmsg: family, ifindex, state, flags, type. */
    public MessageBuilder ndmsg(int family, int index, int state, int flags, int type) {
        return u8(family).u8(0).u16(0).u32(index).u16(state).u8(flags).u8(type);
    }

    public MessageBuilder attr(int type, byte[] payload) {
        int len = 4 + payload.length;
        ensure(align(len));
        buf.putShort((short) len).putShort((short) type).put(payload);
        pad(len);
        return this;
    }

    public MessageBuilder attrU8(int type, int v) {
        return attr(type, new byte[] {(byte) v});
    }

    public MessageBuilder attrU16(int type, int v) {
        ensure(8);
        buf.putShort((short) 6).putShort((short) type).putShort((short) v);
        pad(6);
        return this;
    }

    /** A 16-bit value in network byte order (ports). */
    public MessageBuilder attrBe16(int type, int v) {
        return attr(type, new byte[] {(byte) (v >>> 8), (byte) v});
    }

    public MessageBuilder attrU32(int type, int v) {
        ensure(8);
        buf.putShort((short) 8).putShort((short) type).putInt(v);
        return this;
    }

    public MessageBuilder attrString(int type, String s) {
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        byte[] z = new byte[bytes.length + 1];
        System.arraycopy(bytes, 0, z, 0, bytes.length);
        return attr(type, z);
    }

    /** Starts a nested attribute; close it with {@link #endNest()}. */
    public MessageBuilder nest(int type) {
        ensure(4);
        nests[depth++] = buf.position();
        buf.putShort((short) 0).putShort((short) type);
        return this;
    }

    public MessageBuilder endNest() {
        int start = nests[--depth];
        buf.putShort(start, (short) (buf.position() - start));
        return this;
    }

    private void pad(int len) {
        for (int i = len; i < align(len); i++) {
            buf.put((byte) 0);
        }
    }

    public static int align(int len) {
        return (len + 3) & ~3;
    }

    /** The finished message (length filled in); the builder must not be used afterwards. */
    public byte[] build() {
        if (depth != 0) {
            throw new IllegalStateException("unclosed nested attribute");
        }
        buf.putInt(0, buf.position());
        byte[] out = new byte[buf.position()];
        buf.flip();
        buf.get(out);
        return out;
    }
}
