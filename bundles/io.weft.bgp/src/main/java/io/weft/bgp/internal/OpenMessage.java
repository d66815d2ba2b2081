package io.weft.bgp.internal;

import java.util.ArrayList;
import java.util.List;

import io.netty.buffer.ByteBuf;

/**
 * An OPEN message and the capabilities it carries (RFC 5492): multiprotocol (4760), route refresh
 * (2918), extended message (8654), graceful restart (4724), 4-octet AS (6793).
 *
 * @param as          the real AS (from the 4-octet capability when present)
 * @param afiSafis    {@code afi << 8 | safi} of each multiprotocol capability
 * @param grTime      graceful-restart time in seconds, or -1 without the capability
 * @param grAfiSafis  address families whose forwarding state the peer preserved
 */
record OpenMessage(int version, long as, int holdTime, int bgpId, boolean as4, List<Integer> afiSafis,
        boolean routeRefresh, boolean extendedMessage, int grTime, boolean grRestarting, List<Integer> grAfiSafis) {

    static final int IPV4_UNICAST = 1 << 8 | 1;
    static final int IPV6_UNICAST = 2 << 8 | 1;

    void encodeBody(ByteBuf out) {
        out.writeByte(version);
        out.writeShort(as > 0xFFFF ? PathAttributes.AS_TRANS : (int) as);
        out.writeShort(holdTime);
        out.writeInt(bgpId);
        int lengthAt = out.writerIndex();
        out.writeByte(0);
        int start = out.writerIndex();
        out.writeByte(2); // one optional parameter: capabilities
        int capLengthAt = out.writerIndex();
        out.writeByte(0);
        for (int afiSafi : afiSafis) {
            out.writeByte(1).writeByte(4).writeShort(afiSafi >>> 8).writeByte(0).writeByte(afiSafi & 0xFF);
        }
        if (routeRefresh) {
            out.writeByte(2).writeByte(0);
        }
        if (extendedMessage) {
            out.writeByte(6).writeByte(0);
        }
        if (grTime >= 0) {
            out.writeByte(64).writeByte(2 + 4 * afiSafis.size());
            out.writeShort((grRestarting ? 0x8000 : 0) | (grTime & 0xFFF));
            for (int afiSafi : afiSafis) {
                boolean preserved = grAfiSafis.contains(afiSafi);
                out.writeShort(afiSafi >>> 8).writeByte(afiSafi & 0xFF).writeByte(preserved ? 0x80 : 0);
            }
        }
        if (as4) {
            out.writeByte(65).writeByte(4).writeInt((int) as);
        }
        out.setByte(capLengthAt, out.writerIndex() - capLengthAt - 1);
        out.setByte(lengthAt, out.writerIndex() - start);
    }

    static OpenMessage decode(ByteBuf body) throws BgpNotification {
        if (body.readableBytes() < 10) {
            throw new BgpNotification(BgpNotification.HEADER, 2, "OPEN shorter than 29 bytes");
        }
        int version = body.readUnsignedByte();
        if (version != 4) {
            throw new BgpNotification(BgpNotification.OPEN, 1, new byte[] {0, 4}, "peer speaks BGP version " + version + ", not 4");
        }
        long as = body.readUnsignedShort();
        int hold = body.readUnsignedShort();
        int id = body.readInt();
        int optLen = body.readUnsignedByte();
        if (optLen != body.readableBytes()) {
            throw new BgpNotification(BgpNotification.HEADER, 2, "OPEN optional parameters length " + optLen
                    + " does not match the message (" + body.readableBytes() + " bytes left)");
        }
        boolean as4 = false;
        List<Integer> afiSafis = new ArrayList<>();
        boolean refresh = false, extended = false, restarting = false;
        int grTime = -1;
        List<Integer> grFamilies = new ArrayList<>();
        while (body.isReadable()) {
            if (body.readableBytes() < 2) {
                throw new BgpNotification(BgpNotification.OPEN, 0, "truncated optional parameter");
            }
            int type = body.readUnsignedByte();
            int len = body.readUnsignedByte();
            if (len > body.readableBytes()) {
                throw new BgpNotification(BgpNotification.OPEN, 0, "optional parameter overruns the OPEN");
            }
            ByteBuf param = body.readSlice(len);
            if (type != 2) {
                throw new BgpNotification(BgpNotification.OPEN, 4, "unsupported optional parameter " + type);
            }
            while (param.isReadable()) {
                if (param.readableBytes() < 2) {
                    throw new BgpNotification(BgpNotification.OPEN, 0, "truncated capability");
                }
                int code = param.readUnsignedByte();
                int clen = param.readUnsignedByte();
                if (clen > param.readableBytes()) {
                    throw new BgpNotification(BgpNotification.OPEN, 0, "capability " + code + " overruns its parameter");
                }
                ByteBuf cap = param.readSlice(clen);
                switch (code) {
                    case 1 -> {
                        if (clen == 4) {
                            int afi = cap.readUnsignedShort();
                            cap.skipBytes(1);
                            afiSafis.add(afi << 8 | cap.readUnsignedByte());
                        }
                    }
                    case 2 -> refresh = true;
                    case 6 -> extended = true;
                    case 64 -> {
                        if (clen >= 2) {
                            int flagsTime = cap.readUnsignedShort();
                            restarting = (flagsTime & 0x8000) != 0;
                            grTime = flagsTime & 0xFFF;
                            while (cap.readableBytes() >= 4) {
                                int afi = cap.readUnsignedShort();
                                int safi = cap.readUnsignedByte();
                                if ((cap.readUnsignedByte() & 0x80) != 0) {
                                    grFamilies.add(afi << 8 | safi);
                                }
                            }
                        }
                    }
                    case 65 -> {
                        if (clen == 4) {
                            as4 = true;
                            as = cap.readUnsignedInt();
                        }
                    }
                    default -> {
                        // unknown capabilities are ignored (RFC 5492)
                    }
                }
            }
        }
        if (afiSafis.isEmpty()) {
            afiSafis.add(IPV4_UNICAST); // a peer without multiprotocol capabilities speaks IPv4 unicast
        }
        return new OpenMessage(version, as, hold, id, as4, afiSafis, refresh, extended, grTime, restarting, grFamilies);
    }
}
