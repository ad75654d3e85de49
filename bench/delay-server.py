"""HTTP server that answers every request exactly DELAY_MS after the request reached its socket.

    python3 bench/delay-server.py DELAY_MS        (prints its port, then serves on 127.0.0.1)

The reference of bench/flow-timing.ts. The delay is counted from the kernel's receive timestamp of
the request (SO_TIMESTAMPNS), not from when this process woke up and read it, so the server's own
wake-up, accept and parse times do not reach the answer; the last milliseconds before the answer are
a spin on the clock rather than a sleep. GET /_lateness returns, and clears, how late each answer was
sent (ms after its due time). One thread, one event loop: nothing waits for a lock.
"""
import heapq
import json
import selectors
import socket
import struct
import sys
import time

DELAY_NS = int(float(sys.argv[1]) * 1_000_000)
SPIN_NS = 4_000_000
SO_TIMESTAMPNS = getattr(socket, 'SO_TIMESTAMPNS', 35)
ANCILLARY = socket.CMSG_SPACE(16)


def clock():
    # The kernel stamps packets with the real-time clock.
    return time.clock_gettime_ns(time.CLOCK_REALTIME)


class Connection:
    def __init__(self, sock):
        self.sock = sock
        self.buffer = b''
        self.arrived = None


selector = selectors.DefaultSelector()
due = []  # heap of (due_ns, sequence, connection, close)
sequence = 0
lateness = []


def answer(conn, body, close):
    head = b'HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-length: %d\r\n' % len(body)
    conn.sock.sendall(head + (b'connection: close\r\n' if close else b'') + b'\r\n' + body)
    if close:
        selector.unregister(conn.sock)
        conn.sock.close()


def read(conn):
    global sequence
    try:
        data, ancillary, _, _ = conn.sock.recvmsg(65536, ANCILLARY)
    except ConnectionError:
        data, ancillary = b'', []
    if not data:
        selector.unregister(conn.sock)
        conn.sock.close()
        return
    if not conn.buffer:
        conn.arrived = clock()
        for level, kind, raw in ancillary:
            if level == socket.SOL_SOCKET and kind == SO_TIMESTAMPNS:
                seconds, nanoseconds = struct.unpack('qq', raw[:16])
                conn.arrived = seconds * 1_000_000_000 + nanoseconds
    conn.buffer += data
    while b'\r\n\r\n' in conn.buffer:
        head, conn.buffer = conn.buffer.split(b'\r\n\r\n', 1)
        lines = head.split(b'\r\n')
        path = lines[0].split(b' ')[1] if b' ' in lines[0] else b'/'
        close = any(line.lower().startswith(b'connection:') and b'close' in line.lower() for line in lines[1:])
        if path == b'/_lateness':
            answer(conn, json.dumps(lateness).encode(), close)
            lateness.clear()
        else:
            sequence += 1
            heapq.heappush(due, (conn.arrived + DELAY_NS, sequence, conn, close))
        if close:
            return
        conn.arrived = clock()


def accept(server):
    sock, _ = server.accept()
    sock.setblocking(False)
    sock.setsockopt(socket.SOL_SOCKET, SO_TIMESTAMPNS, 1)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    selector.register(sock, selectors.EVENT_READ, Connection(sock))


def main():
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind(('127.0.0.1', 0))
    server.listen(256)
    server.setblocking(False)
    selector.register(server, selectors.EVENT_READ, None)
    print(server.getsockname()[1], flush=True)
    while True:
        timeout = None
        if due:
            timeout = max(0.0, (due[0][0] - SPIN_NS - clock()) / 1e9)
        for key, _ in selector.select(timeout):
            if key.data is None:
                accept(key.fileobj)
            else:
                read(key.data)
        while due and due[0][0] - clock() <= SPIN_NS:
            deadline, _, conn, close = heapq.heappop(due)
            while clock() < deadline:
                pass
            lateness.append((clock() - deadline) / 1e6)
            if conn.sock.fileno() != -1:
                answer(conn, b'ok', close)


main()
