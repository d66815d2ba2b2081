#!/usr/bin/env python3
"""Raw BGP peers for the BGP benchmarks (integration-tests/bench/bgp-*.sh); not a BGP implementation.

  feed ADDR PEER_ADDR AS PEER_AS COUNT   (iBGP attributes when AS = PEER_AS) connect to PEER_ADDR:179 from ADDR, reach Established, send COUNT
                                         /24s (100.0.0.0/24, 100.0.1.0/24, ...) in UPDATEs pre-encoded
                                         before the session starts, so the feeder is never the bottleneck;
                                         prints "established=<epoch s>" and "sent=<epoch s>", then stays up
  sink AS PEER_ADDR COUNT ADDR...        one iBGP session per ADDR to PEER_ADDR:179; prints "ready" when all
                                         are Established and "done=<epoch s>" when every session has received
                                         COUNT prefixes (it counts NLRI bytes: the feeder sends only /24s)

Hold time 0 is offered (HOLD=seconds to change it), so no keepalives interleave with the measurement.
"""
import os, selectors, socket, struct, sys, time

MARKER = b"\xff" * 16


def message(kind, body):
    return MARKER + struct.pack("!HB", 19 + len(body), kind) + body


def open_message(asn, router_id):
    caps = b""
    caps += bytes([1, 4]) + struct.pack("!HBB", 1, 0, 1)  # multiprotocol IPv4 unicast
    caps += bytes([65, 4]) + struct.pack("!I", asn)  # 4-octet AS
    params = bytes([2, len(caps)]) + caps
    my_as = asn if asn < 65536 else 23456
    return message(1, struct.pack("!BHH4sB", 4, my_as, HOLD, socket.inet_aton(router_id), len(params)) + params)


KEEPALIVE = message(4, b"")
# Hold time offered: 0 (no keepalives during a measurement) unless HOLD is set; GoBGP as a
# sender needs a non-zero one (it derives its write deadline from it), runs stay far below it.
HOLD = int(os.environ.get("HOLD", "0"))


def updates(count, next_hop, asn, internal=False):
    attrs = bytes([0x40, 1, 1, 0])  # ORIGIN IGP
    if internal:  # iBGP: empty AS_PATH, LOCAL_PREF 100
        attrs += bytes([0x40, 2, 0])
    else:  # eBGP: AS_PATH sequence [asn], 4-octet
        attrs += bytes([0x40, 2, 6, 2, 1]) + struct.pack("!I", asn)
    attrs += bytes([0x40, 3, 4]) + socket.inet_aton(next_hop)
    if internal:
        attrs += bytes([0x40, 5, 4]) + struct.pack("!I", 100)
    per_message = (4096 - 19 - 4 - len(attrs)) // 4
    out = []
    base = 100 << 24
    for start in range(0, count, per_message):
        n = min(per_message, count - start)
        nlri = b"".join(struct.pack("!BI", 24, base + (start + i) * 256)[:4] for i in range(n))
        out.append(message(2, struct.pack("!HH", 0, len(attrs)) + attrs + nlri))
    out.append(message(2, struct.pack("!HH", 0, 0)))  # End-of-RIB
    return b"".join(out)


def read_message(sock, buf):
    while True:
        if len(buf) >= 19:
            length = struct.unpack("!H", buf[16:18])[0]
            if len(buf) >= length:
                return buf[18], buf[19:length], buf[length:]
        data = sock.recv(65536)
        if not data:
            raise SystemExit("peer closed the connection (buffer %r)" % buf[:64])
        buf += data


def establish(sock, asn, router_id):
    sock.sendall(open_message(asn, router_id))
    buf = b""
    while True:
        kind, body, buf = read_message(sock, buf)
        if kind == 1:
            sock.sendall(KEEPALIVE)
        elif kind == 4:
            return buf
        elif kind == 3:
            raise SystemExit("NOTIFICATION %d/%d" % (body[0], body[1]))


def connect(addr, peer):
    for _ in range(200):
        s = socket.socket()
        s.bind((addr, 0))
        try:
            s.connect((peer, 179))
            return s
        except OSError:
            s.close()
            time.sleep(0.05)
    raise SystemExit("cannot connect to %s:179" % peer)


def feed(addr, peer, asn, peer_as, count):
    payload = updates(count, addr, asn, asn == peer_as)
    s = connect(addr, peer)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    establish(s, asn, addr)
    print("established=%.6f" % time.time(), flush=True)
    s.sendall(payload)
    print("sent=%.6f" % time.time(), flush=True)
    s.setblocking(True)
    while s.recv(1 << 20):
        pass


def sink(asn, peer, count, addrs):
    sel = selectors.DefaultSelector()
    state = {}
    for a in addrs:
        s = connect(a, peer)
        rest = establish(s, asn, a)
        state[s] = [rest, 0]
    print("ready", flush=True)
    for s in state:
        s.setblocking(False)
        sel.register(s, selectors.EVENT_READ)
    remaining = len(state)
    for s, st in state.items():
        st[1] += count_prefixes(st, b"")
    while remaining:
        for key, _ in sel.select():
            s = key.fileobj
            data = s.recv(1 << 20)
            if not data:
                raise SystemExit("session closed by the reflector")
            st = state[s]
            before = st[1] >= count
            st[1] += count_prefixes(st, data)
            if not before and st[1] >= count:
                remaining -= 1
    print("done=%.6f" % time.time(), flush=True)
    time.sleep(3600)


def count_prefixes(st, data):
    buf = st[0] + data
    n = 0
    at = 0
    end = len(buf)
    while end - at >= 19:
        length = (buf[at + 16] << 8) | buf[at + 17]
        if end - at < length:
            break
        if buf[at + 18] == 2:
            wlen = (buf[at + 19] << 8) | buf[at + 20]
            alen = (buf[at + 21 + wlen] << 8) | buf[at + 22 + wlen]
            n += (length - 23 - wlen - alen) // 4
        at += length
    st[0] = buf[at:]
    return n


if __name__ == "__main__":
    if sys.argv[1] == "feed":
        feed(sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6]))
    elif sys.argv[1] == "sink":
        sink(int(sys.argv[2]), sys.argv[3], int(sys.argv[4]), sys.argv[5:])
    else:
        raise SystemExit(__doc__)
