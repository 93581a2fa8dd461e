#!/usr/bin/env python3
"""Small network peers for scripts/netwatch-captures: a DNS responder, a Modbus/TCP server and
client, TCP listeners and connectors, and a timed HTTP beacon. Standard library only; every peer
runs inside a network namespace that the capture script made, on addresses it chose."""

import random
import socket
import struct
import sys
import threading
import time
import urllib.request


def dns_server(bind):
    """Answers every A query with 10.0.0.1 (the benign lookups need an answer, nothing more)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind((bind, 53))
    while True:
        data, peer = sock.recvfrom(4096)
        if len(data) < 12:
            continue
        ident = data[:2]
        question = data[12:]
        end = question.index(0) + 5
        answer = b"\xc0\x0c" + struct.pack(">HHIH", 1, 1, 60, 4) + socket.inet_aton("10.0.0.1")
        header = ident + struct.pack(">HHHHH", 0x8180, 1, 1, 0, 0)
        sock.sendto(header + question[:end] + answer, peer)


def modbus_server(bind):
    """Modbus/TCP on 502: reads return zeros, writes are echoed as the standard says."""
    srv = socket.socket()
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind((bind, 502))
    srv.listen()

    def serve(conn):
        with conn:
            while True:
                head = conn.recv(7)
                if len(head) < 7:
                    return
                tid, pid, length, unit = struct.unpack(">HHHB", head)
                pdu = conn.recv(length - 1)
                fc = pdu[0]
                if fc == 3:
                    count = struct.unpack(">H", pdu[3:5])[0]
                    body = bytes([3, count * 2]) + b"\x00" * (count * 2)
                else:
                    body = pdu[:5]
                conn.sendall(struct.pack(">HHHB", tid, 0, len(body) + 1, unit) + body)

    while True:
        conn, _ = srv.accept()
        threading.Thread(target=serve, args=(conn,), daemon=True).start()


def modbus_client(host, reads, writes):
    """`reads` holding-register reads (fc 3), then `writes` writes alternating fc 6 and fc 16."""
    conn = socket.create_connection((host, 502))
    tid = 0

    def call(pdu):
        nonlocal tid
        tid += 1
        conn.sendall(struct.pack(">HHHB", tid, 0, len(pdu) + 1, 1) + pdu)
        conn.recv(260)
        time.sleep(0.2)

    for i in range(int(reads)):
        call(struct.pack(">BHH", 3, i, 4))
    for i in range(int(writes)):
        if i % 2 == 0:
            call(struct.pack(">BHH", 6, 40 + i, 1234))
        else:
            call(struct.pack(">BHHB", 16, 40 + i, 2, 4) + struct.pack(">HH", 7, 9))
    conn.close()


def listen(bind, *ports):
    """Accepts and closes on every port given (so connects succeed)."""
    def run(port):
        srv = socket.socket()
        srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        srv.bind((bind, int(port)))
        srv.listen()
        while True:
            conn, _ = srv.accept()
            conn.recv(1024)
            conn.close()

    for port in ports:
        threading.Thread(target=run, args=(port,), daemon=True).start()
    while True:
        time.sleep(3600)


def connect(*targets):
    """Connects to each HOST:PORT in turn, sends a line, waits a little."""
    for target in targets:
        host, port = target.rsplit(":", 1)
        try:
            conn = socket.create_connection((host, int(port)), timeout=2)
            conn.sendall(b"hello\n")
            conn.close()
        except OSError:
            pass
        time.sleep(0.5)


def beacon(url, interval, jitter, count):
    """`count` GETs of `url`, `interval` seconds apart ± `jitter` (a fraction)."""
    for _ in range(int(count)):
        try:
            urllib.request.urlopen(url, timeout=3).read()
        except OSError:
            pass
        spread = float(interval) * float(jitter)
        time.sleep(float(interval) + random.uniform(-spread, spread))


if __name__ == "__main__":
    name, *args = sys.argv[1:]
    {"dns-server": dns_server, "modbus-server": modbus_server, "modbus-client": modbus_client,
     "listen": listen, "connect": connect, "beacon": beacon}[name](*args)
