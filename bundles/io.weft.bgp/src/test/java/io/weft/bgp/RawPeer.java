package io.weft.bgp;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;

/**
 * A hand-driven BGP peer for tests: writes exactly the bytes a test gives it, so malformed
 * messages reach a live Weft session, and reads what Weft answers.
 */
final class RawPeer implements AutoCloseable {
    final Socket socket;
    private final DataInputStream in;

    RawPeer(InetAddress from, InetAddress to, int port) throws IOException {
        socket = new Socket();
        socket.bind(new InetSocketAddress(from, 0));
        socket.connect(new InetSocketAddress(to, port), 5000);
        socket.setSoTimeout(5000);
        in = new DataInputStream(socket.getInputStream());
    }

    record Message(int type, byte[] body) {
        int code() {
            return body[0] & 0xFF;
        }

        int subcode() {
            return body[1] & 0xFF;
        }
    }

    static byte[] message(int type, byte[] body) {
        ByteBuffer b = ByteBuffer.allocate(19 + body.length);
        for (int i = 0; i < 16; i++) {
            b.put((byte) 0xFF);
        }
        b.putShort((short) (19 + body.length)).put((byte) type).put(body);
        return b.array();
    }

    /** An OPEN with the 4-octet AS and IPv4 unicast capabilities. */
    static byte[] open(int version, long as, int hold, String id) throws IOException {
        ByteArrayOutputStream caps = new ByteArrayOutputStream();
        caps.write(new byte[] {1, 4, 0, 1, 0, 1});
        caps.write(new byte[] {65, 4, (byte) (as >>> 24), (byte) (as >>> 16), (byte) (as >>> 8), (byte) as});
        byte[] c = caps.toByteArray();
        ByteBuffer b = ByteBuffer.allocate(10 + 2 + c.length);
        b.put((byte) version).putShort((short) (as > 0xFFFF ? 23456 : as)).putShort((short) hold);
        b.put(InetAddress.getByName(id).getAddress());
        b.put((byte) (2 + c.length)).put((byte) 2).put((byte) c.length).put(c);
        return message(1, b.array());
    }

    static byte[] keepalive() {
        return message(4, new byte[0]);
    }

    /** UPDATE body from its three parts. */
    static byte[] update(byte[] withdrawn, byte[] attributes, byte[] nlri) {
        ByteBuffer b = ByteBuffer.allocate(4 + withdrawn.length + attributes.length + nlri.length);
        b.putShort((short) withdrawn.length).put(withdrawn).putShort((short) attributes.length).put(attributes).put(nlri);
        return message(2, b.array());
    }

    static byte[] bytes(int... values) {
        byte[] out = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = (byte) values[i];
        }
        return out;
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    void send(byte[] bytes) throws IOException {
        socket.getOutputStream().write(bytes);
        socket.getOutputStream().flush();
    }

    Message read() throws IOException {
        byte[] header = new byte[19];
        in.readFully(header);
        int length = ((header[16] & 0xFF) << 8) | (header[17] & 0xFF);
        byte[] body = new byte[length - 19];
        in.readFully(body);
        return new Message(header[18] & 0xFF, body);
    }

    /** Reads until a message of {@code type} arrives (skipping KEEPALIVEs and UPDATEs). */
    Message readUntil(int type) throws IOException {
        while (true) {
            Message m = read();
            if (m.type() == type) {
                return m;
            }
        }
    }

    /** OPEN both ways, then KEEPALIVE both ways: Established. */
    void establish(long as, String id) throws IOException {
        send(open(4, as, 90, id));
        Message open = read();
        if (open.type() != 1) {
            throw new AssertionError("expected OPEN, got type " + open.type());
        }
        send(keepalive());
        readUntil(4);
    }

    /** True when the connection is closed by the other side within the timeout. */
    boolean closedByPeer() throws IOException {
        try {
            while (true) {
                if (in.read() < 0) {
                    return true;
                }
            }
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true;
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
