#!/usr/bin/env python3
"""A minimal scripted MySQL-protocol client used only to capture server replies through relay.py for
the byte tables of tests/unit/protocol (see CAPTURES.md). It drives exchanges the mariadb CLI does not:
CLIENT_DEPRECATE_EOF on or off, an auth switch (it asks for caching_sha2_password, which MariaDB 10.11
answers with a switch to mysql_native_password), COM_CHANGE_USER, session tracking with GTIDs and
server-side prepared statements with a binary result set.
Usage: capture_client.py PORT USER PASSWORD DEPRECATE_EOF(0|1)"""
import hashlib
import socket
import struct
import sys

CLIENT_LONG_PASSWORD, CLIENT_CONNECT_WITH_DB, CLIENT_PROTOCOL_41 = 1, 8, 1 << 9
CLIENT_TRANSACTIONS, CLIENT_SECURE_CONNECTION = 1 << 13, 1 << 15
CLIENT_MULTI_RESULTS, CLIENT_PS_MULTI_RESULTS, CLIENT_PLUGIN_AUTH = 1 << 17, 1 << 18, 1 << 19
CLIENT_PLUGIN_AUTH_LENENC, CLIENT_SESSION_TRACK, CLIENT_DEPRECATE_EOF = 1 << 21, 1 << 23, 1 << 24


def native_scramble(password, nonce):
    h1 = hashlib.sha1(password).digest()
    h2 = hashlib.sha1(nonce + hashlib.sha1(h1).digest()).digest()
    return bytes(a ^ b for a, b in zip(h1, h2))


def greeting_nonce(greeting):
    """The 20-byte nonce of a Handshake v10 greeting payload."""
    pos = greeting.index(b"\0", 1) + 1 + 4
    nonce = greeting[pos:pos + 8]
    pos += 8 + 1 + 2 + 1 + 2 + 2 + 1 + 6 + 4
    return nonce + greeting[pos:pos + 12]


class Conn:
    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port))
        self.buf = b""
        self.seq = 0

    def read(self):
        while len(self.buf) < 4 or len(self.buf) < 4 + int.from_bytes(self.buf[:3], "little"):
            data = self.sock.recv(65536)
            if not data:
                raise EOFError
            self.buf += data
        size = int.from_bytes(self.buf[:3], "little")
        self.seq = self.buf[3] + 1
        payload, self.buf = self.buf[4:4 + size], self.buf[4 + size:]
        return payload

    def write(self, payload, seq=None):
        seq = self.seq if seq is None else seq
        self.sock.sendall(len(payload).to_bytes(3, "little") + bytes([seq & 0xff]) + payload)
        self.seq = seq + 1

    def command(self, payload):
        self.write(payload, seq=0)

    def read_until_end(self, deprecate_eof):
        """Reads one statement's reply: OK, ERR, or a whole result set."""
        first = self.read()
        if first[0] in (0x00, 0xff) or (first[0] == 0xfe and len(first) < 9):
            return
        eofs = 0
        while True:
            p = self.read()
            if p[0] == 0xff:
                return
            if p[0] == 0xfe and len(p) < 0xffffff:
                eofs += 1
                if deprecate_eof or eofs == 2:
                    return


def main():
    port, user, password, deprecate_eof = (int(sys.argv[1]), sys.argv[2].encode(), sys.argv[3].encode(),
                                           sys.argv[4] == "1")
    c = Conn(port)
    nonce = greeting_nonce(c.read())
    caps = (CLIENT_CONNECT_WITH_DB | CLIENT_PROTOCOL_41 | CLIENT_TRANSACTIONS | CLIENT_SECURE_CONNECTION
            | CLIENT_MULTI_RESULTS | CLIENT_PS_MULTI_RESULTS | CLIENT_PLUGIN_AUTH
            | CLIENT_PLUGIN_AUTH_LENENC | CLIENT_SESSION_TRACK | CLIENT_LONG_PASSWORD)
    if deprecate_eof:
        caps |= CLIENT_DEPRECATE_EOF
    # Ask for a plugin MariaDB 10.11 does not know so that it answers with an AuthSwitchRequest.
    response = (struct.pack("<IIB", caps, 1 << 24, 45) + b"\0" * 23 + user + b"\0" + bytes([32])
                + hashlib.sha256(password).digest() + b"t\0" + b"caching_sha2_password\0")
    c.write(response)
    reply = c.read()
    if reply[0] == 0xfe:
        switch_nonce = reply[reply.index(b"\0", 1) + 1:].rstrip(b"\0")
        c.write(native_scramble(password, switch_nonce))
        reply = c.read()
    assert reply[0] == 0x00, reply
    statements = [
        b"SET session_track_system_variables='last_gtid,autocommit,time_zone'",
        b"SET session_track_state_change=1, session_track_transaction_info='CHARACTERISTICS'",
        b"SET autocommit=0",
        b"START TRANSACTION READ ONLY",
        b"COMMIT",
        b"INSERT INTO t.items VALUES (10,'gtid',2.50,NULL,NULL)",
        b"COMMIT",
        b"SELECT id, name, price, made, note FROM t.items WHERE id <= 2 ORDER BY id",
    ]
    for sql in statements:
        c.command(b"\x03" + sql)
        c.read_until_end(deprecate_eof)
    # Prepared statement with one parameter and a binary result set.
    c.command(b"\x16SELECT id, name, price, made, note FROM t.items WHERE id <= ? ORDER BY id")
    prepare_ok = c.read()
    stmt_id, columns, params = struct.unpack("<IHH", prepare_ok[1:9])
    for _ in range(params + columns):
        c.read()
    if not deprecate_eof:
        if params:
            c.read()
        if columns:
            c.read()
    execute = (b"\x17" + struct.pack("<IBI", stmt_id, 0, 1) + b"\x00" + b"\x01" + b"\x08\x00"
               + struct.pack("<q", 2))
    c.command(execute)
    c.read_until_end(deprecate_eof)
    c.command(b"\x18" + struct.pack("<IH", stmt_id, 0) + b"long data")  # COM_STMT_SEND_LONG_DATA
    c.command(b"\x1a" + struct.pack("<I", stmt_id))  # COM_STMT_RESET
    c.read()
    c.command(b"\x19" + struct.pack("<I", stmt_id))  # COM_STMT_CLOSE: no reply
    c.command(b"\x0e")  # COM_PING
    c.read()
    c.command(b"\x09")  # COM_STATISTICS
    c.read()
    c.command(b"\x1b\x01\x00")  # COM_SET_OPTION: MYSQL_OPTION_MULTI_STATEMENTS_OFF
    c.read_until_end(deprecate_eof)
    c.command(b"\x0cabcd"[:1] + struct.pack("<I", 999999))  # COM_PROCESS_KILL of an unknown id
    c.read()
    c.command(b"\x1f")  # COM_RESET_CONNECTION
    c.read()
    # COM_CHANGE_USER, again asking for caching_sha2_password to get an AuthSwitchRequest.
    change = (b"\x11" + user + b"\0" + bytes([32]) + hashlib.sha256(password).digest() + b"t\0"
              + struct.pack("<H", 45) + b"caching_sha2_password\0")
    c.command(change)
    reply = c.read()
    if reply[0] == 0xfe:
        switch_nonce = reply[reply.index(b"\0", 1) + 1:].rstrip(b"\0")
        c.write(native_scramble(password, switch_nonce))
        c.read()
    c.command(b"\x01")  # COM_QUIT


if __name__ == "__main__":
    main()
