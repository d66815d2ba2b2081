package io.weft.bgp.internal;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * Runs the UPDATE decoder and the RIB's insert, decide and withdraw paths over a synthetic table
 * in a scratch RIB when the speaker starts, before any session: the JIT then compiles them before
 * the first real table arrives, instead of the first hundred thousand prefixes running
 * interpreted. Costs a fraction of a second of CPU at start; nothing is kept.
 */
final class DecoderWarmup {
    private DecoderWarmup() {
    }

    static void run(int prefixCount) {
        Rib rib = new Rib(new Prefixes(), 64512, 1, null, () -> { });
        RibPeer a = rib.addPeer("warmup-a");
        RibPeer b = rib.addPeer("warmup-b");
        a.remoteAddress = new byte[] {127, 0, 0, 2};
        b.remoteAddress = new byte[] {127, 0, 0, 3};
        ByteBuf updates = encode(prefixCount);
        try {
            for (RibPeer peer : new RibPeer[] {a, b, a}) {
                UpdateParser parser = new UpdateParser(rib.prefixes, rib.interner, true, false, 65001);
                UpdateSink sink = new RibUpdateSink(rib, peer, family -> { });
                ByteBuf all = updates.duplicate();
                while (all.isReadable()) {
                    int length = all.readUnsignedShort();
                    // sliced as BgpConnection slices a message body out of what the socket read
                    parser.parse(all.slice(all.readerIndex(), length), sink);
                    all.skipBytes(length);
                }
            }
            // the export side: a reflector's view of the same table towards two clients
            exportAll(rib, prefixCount);
            rib.dropRoutes(a);
            rib.dropRoutes(b);
        } catch (BgpNotification e) {
            throw new IllegalStateException("decoder warm-up produced a malformed UPDATE: " + e.getMessage(), e);
        } finally {
            updates.release();
        }
    }

    private static void exportAll(Rib rib, int prefixCount) {
        UpdatePacker packer = new UpdatePacker(rib);
        UpdatePacker.Output discard = new UpdatePacker.Output() {
            @Override
            public io.netty.buffer.ByteBufAllocator alloc() {
                return io.netty.buffer.ByteBufAllocator.DEFAULT;
            }

            @Override
            public void write(ByteBuf messages) {
                messages.release();
            }

            @Override
            public void flush() {
            }
        };
        for (int i = 0; i < 2; i++) {
            RibPeer client = rib.addPeer("warmup-client");
            client.ibgp = false;
            client.localAs = 64512;
            client.peerAs = 65002;
            client.ipv4 = true;
            client.localAddress4 = new byte[] {127, 0, 0, 1};
            client.remoteAddress = new byte[] {127, 0, 0, 4};
            client.established = true;
            rib.scheduleFullExport(client);
            packer.flush(client, discard, 4096, true);
            rib.removePeer(client);
        }
    }

    /** UPDATE bodies, each preceded by its length, announcing /24s from 198.18.0.0 (RFC 2544 space) on. */
    private static ByteBuf encode(int count) {
        byte[] attrs = {0x40, 1, 1, 0, 0x40, 2, 6, 2, 1, 0, 0, (byte) 0xFD, (byte) 0xE9, 0x40, 3, 4, 127, 0, 0, 2};
        int perMessage = 1000;
        // a pooled direct buffer, the kind the socket reads into: compiled for another kind, the
        // decoder would be thrown back to the interpreter by the first real table's buffers
        ByteBuf out = ByteBufAllocator.DEFAULT.directBuffer(count * 4 + count / perMessage * 64 + 64);
        int base = (198 << 24) | (18 << 16);
        for (int start = 0; start < count; start += perMessage) {
            int n = Math.min(perMessage, count - start);
            out.writeShort(4 + attrs.length + n * 4);
            out.writeShort(0).writeShort(attrs.length).writeBytes(attrs);
            for (int i = 0; i < n; i++) {
                int address = base + (start + i) * 256;
                out.writeByte(24).writeByte(address >>> 24).writeByte(address >>> 16).writeByte(address >>> 8);
            }
        }
        return out;
    }
}
