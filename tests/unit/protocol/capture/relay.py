#!/usr/bin/env python3
"""Capture relay: forwards one TCP connection at a time from LISTEN_PORT to a server on loopback and
logs every chunk each way (direction and hex) to OUT_DIR/conn-N.log. Used to capture the byte tables
of tests/unit/protocol (see CAPTURES.md). Stops after MAX_CONNS connections."""
import socket
import sys
import threading


def pump(src, dst, log, lock, direction):
    while True:
        data = src.recv(65536)
        if not data:
            break
        with lock:
            log.write(f"{direction} {data.hex()}\n")
            log.flush()
        dst.sendall(data)
    try:
        dst.shutdown(socket.SHUT_WR)
    except OSError:
        pass


def main():
    listen_port, server_port, out_dir, max_conns = (int(sys.argv[1]), int(sys.argv[2]), sys.argv[3],
                                                    int(sys.argv[4]))
    listener = socket.socket()
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", listen_port))
    listener.listen(1)
    for n in range(max_conns):
        client, _ = listener.accept()
        server = socket.create_connection(("127.0.0.1", server_port))
        with open(f"{out_dir}/conn-{n}.log", "w") as log:
            lock = threading.Lock()
            threads = [threading.Thread(target=pump, args=(client, server, log, lock, "C>S")),
                       threading.Thread(target=pump, args=(server, client, log, lock, "S>C"))]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
        client.close()
        server.close()


if __name__ == "__main__":
    main()
