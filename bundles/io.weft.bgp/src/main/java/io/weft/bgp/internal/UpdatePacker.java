package io.weft.bgp.internal;

import java.util.IdentityHashMap;
import java.util.Map;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * Turns a peer's dirty prefixes into as few UPDATEs as possible: prefixes sharing an exported
 * attribute set go together, as many as the message size allows (4096 bytes, or 65535 with the
 * extended message capability); withdrawals are packed likewise. Messages are written into large
 * buffers, several per buffer, so a full table costs a few hundred writes, not one per prefix.
 */
final class UpdatePacker {
    static final int HEADER = 19;
    private static final int CHUNK = 256 * 1024;

    interface Output {
        ByteBufAllocator alloc();

        void write(ByteBuf messages);

        void flush();
    }

    private final Rib rib;

    UpdatePacker(Rib rib) {
        this.rib = rib;
    }

    /** Sends what changed for {@code peer}; returns the number of UPDATE messages written. */
    int flush(RibPeer peer, Output output, int maxMessage, boolean as4) {
        LongList dirty = peer.dirty;
        boolean eor = peer.endOfRibPending;
        if (dirty.isEmpty() && !eor) {
            return 0;
        }
        boolean shared = !peer.followers.isEmpty();
        Map<PathAttributes, LongList> groups = new IdentityHashMap<>();
        LongList withdraw4 = new LongList(16);
        LongList withdraw6 = new LongList(16);
        PathAttributes lastGroup = null;
        LongList lastKeys = null;
        PrefixTable out = peer.adjRibOut;
        for (int i = 0; i < dirty.size(); i++) {
            long key = dirty.get(i);
            PathAttributes now = rib.exportFor(peer, key, shared);
            if (now == null) {
                if (out.size() > 0 && out.remove(key) != null) {
                    (Prefixes.isV6(key) ? withdraw6 : withdraw4).add(key);
                }
                continue;
            }
            if (out.put(key, now) == now) {
                continue; // already told
            }
            if (now != lastGroup) { // runs of prefixes share a set: skip the map lookup for them
                lastKeys = groups.get(now);
                if (lastKeys == null) {
                    lastKeys = new LongList(64);
                    groups.put(now, lastKeys);
                }
                lastGroup = now;
            }
            lastKeys.add(key);
        }
        dirty.clear();
        Writer w = new Writer(output, maxMessage);
        if (!withdraw4.isEmpty()) {
            writeWithdrawals4(w, withdraw4);
        }
        if (!withdraw6.isEmpty()) {
            writeMp(w, null, withdraw6, as4);
        }
        for (Map.Entry<PathAttributes, LongList> e : groups.entrySet()) {
            LongList keys = e.getValue();
            if (Prefixes.isV6(keys.get(0))) {
                writeMp(w, e.getKey(), keys, as4);
            } else {
                writeAnnouncements4(w, e.getKey().wire(as4), keys);
            }
        }
        if (peer.endOfRibPending) {
            peer.endOfRibPending = false;
            if (peer.ipv4) {
                ByteBuf b = w.begin(HEADER + 4);
                int start = b.writerIndex();
                writeHeader(b, 23, 2);
                b.writeShort(0).writeShort(0);
                w.messages++;
                assert b.writerIndex() - start == 23;
            }
            if (peer.ipv6) {
                ByteBuf b = w.begin(HEADER + 10);
                writeHeader(b, 29, 2);
                b.writeShort(0).writeShort(6);
                b.writeByte(0x80).writeByte(PathAttributes.MP_UNREACH).writeByte(3);
                b.writeShort(2).writeByte(1);
                w.messages++;
            }
        }
        w.finish();
        return w.messages;
    }

    private void writeWithdrawals4(Writer w, LongList keys) {
        int i = 0;
        while (i < keys.size()) {
            ByteBuf b = w.begin(HEADER + 4 + 5);
            int start = b.writerIndex();
            b.writerIndex(start + HEADER + 2);
            int limit = start + w.maxMessage - 2;
            while (i < keys.size() && b.writerIndex() + 5 <= limit) {
                writeV4(b, keys.get(i++));
            }
            int withdrawnLength = b.writerIndex() - start - HEADER - 2;
            b.writeShort(0);
            int end = b.writerIndex();
            b.writerIndex(start);
            writeHeader(b, end - start, 2);
            b.writeShort(withdrawnLength);
            b.writerIndex(end);
            w.messages++;
        }
    }

    private void writeAnnouncements4(Writer w, byte[] attributes, LongList keys) {
        int i = 0;
        while (i < keys.size()) {
            ByteBuf b = w.begin(HEADER + 4 + attributes.length + 5);
            int start = b.writerIndex();
            b.writerIndex(start + HEADER);
            b.writeShort(0);
            b.writeShort(attributes.length);
            b.writeBytes(attributes);
            int limit = start + w.maxMessage;
            while (i < keys.size() && b.writerIndex() + 5 <= limit) {
                writeV4(b, keys.get(i++));
            }
            int end = b.writerIndex();
            b.writerIndex(start);
            writeHeader(b, end - start, 2);
            b.writerIndex(end);
            w.messages++;
        }
    }

    /** IPv6 (and MP-carried) announcements or, with {@code attrs} null, withdrawals. */
    private void writeMp(Writer w, PathAttributes attrs, LongList keys, boolean as4) {
        byte[] wire = attrs == null ? new byte[0] : attrs.wire(as4);
        byte[] nextHop = attrs == null ? null : attrs.nextHop;
        int i = 0;
        while (i < keys.size()) {
            ByteBuf b = w.begin(HEADER + 4 + wire.length + 8 + (nextHop == null ? 0 : nextHop.length) + 17);
            int start = b.writerIndex();
            b.writerIndex(start + HEADER);
            b.writeShort(0);
            int attrLengthAt = b.writerIndex();
            b.writeShort(0);
            b.writeBytes(wire);
            b.writeByte(0x90).writeByte(attrs == null ? PathAttributes.MP_UNREACH : PathAttributes.MP_REACH);
            int mpLengthAt = b.writerIndex();
            b.writeShort(0);
            b.writeShort(2).writeByte(1);
            if (attrs != null) {
                b.writeByte(nextHop.length).writeBytes(nextHop).writeByte(0);
            }
            int limit = start + w.maxMessage;
            while (i < keys.size() && b.writerIndex() + 17 <= limit) {
                long key = keys.get(i++);
                byte[] address = rib.prefixes.v6Address(key);
                int bits = rib.prefixes.v6Length(key);
                b.writeByte(bits);
                b.writeBytes(address, 0, (bits + 7) >>> 3);
            }
            int end = b.writerIndex();
            b.setShort(mpLengthAt, end - mpLengthAt - 2);
            b.setShort(attrLengthAt, end - attrLengthAt - 2);
            b.writerIndex(start);
            writeHeader(b, end - start, 2);
            b.writerIndex(end);
            w.messages++;
        }
    }

    static void writeV4(ByteBuf b, long key) {
        int bits = Prefixes.length(key);
        int address = Prefixes.v4Address(key);
        switch ((bits + 7) >>> 3) {
            case 0 -> b.writeByte(bits);
            case 1 -> b.writeShort(bits << 8 | address >>> 24);
            case 2 -> b.writeMedium(bits << 16 | address >>> 16);
            case 3 -> b.writeInt(bits << 24 | address >>> 8);
            default -> b.writeByte(bits).writeInt(address);
        }
    }

    static void writeHeader(ByteBuf b, int length, int type) {
        b.writeLong(-1L).writeLong(-1L);
        b.writeShort(length);
        b.writeByte(type);
    }

    /** Hands out room for one message at a time inside large buffers. */
    private static final class Writer {
        final Output output;
        final int maxMessage;
        ByteBuf current;
        int messages;

        Writer(Output output, int maxMessage) {
            this.output = output;
            this.maxMessage = maxMessage;
        }

        ByteBuf begin(int atLeast) {
            if (current != null && current.writableBytes() < maxMessage) {
                output.write(current);
                current = null;
            }
            if (current == null) {
                current = output.alloc().directBuffer(Math.max(CHUNK, maxMessage * 2));
            }
            return current;
        }

        void finish() {
            if (current != null) {
                if (current.isReadable()) {
                    output.write(current);
                } else {
                    current.release();
                }
                current = null;
            }
            if (messages > 0) {
                output.flush();
            }
        }
    }
}
