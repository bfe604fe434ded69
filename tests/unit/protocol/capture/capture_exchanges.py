#!/usr/bin/env python3
"""A scripted MySQL-protocol client, run once through relay.py to capture whole command-phase
exchanges for the exchange-tracker tests (tests/unit/routing/exchange_capture_test.cc, see
CAPTURES.md): multi-statements with an ERR amid them, an ERR amid rows, LOCAL INFILE accepted, with
an empty file and inside multi-statements, COM_FIELD_LIST, a cursor and COM_STMT_FETCH to the last
row, a procedure with an OUT parameter through COM_STMT_EXECUTE and COM_QUERY, MariaDB's pipelined
PREPARE + EXECUTE of statement -1, COM_DEBUG. It logs in as a MariaDB client (extended capabilities
progress and cache-metadata) with CLIENT_LOCAL_FILES and CLIENT_MULTI_STATEMENTS.

It does not parse replies: after each command it reads until the server has been silent for a
moment (the server waits for the next command, or for LOCAL INFILE content).
Usage: capture_exchanges.py PORT USER PASSWORD DEPRECATE_EOF(0|1)"""
import socket
import struct
import sys

import capture_client
from capture_client import greeting_nonce, native_scramble

CLIENT_CONNECT_WITH_DB, CLIENT_LOCAL_FILES, CLIENT_PROTOCOL_41 = 1 << 3, 1 << 7, 1 << 9
CLIENT_TRANSACTIONS, CLIENT_SECURE_CONNECTION = 1 << 13, 1 << 15
CLIENT_MULTI_STATEMENTS, CLIENT_MULTI_RESULTS, CLIENT_PS_MULTI_RESULTS = 1 << 16, 1 << 17, 1 << 18
CLIENT_PLUGIN_AUTH, CLIENT_SESSION_TRACK, CLIENT_DEPRECATE_EOF = 1 << 19, 1 << 23, 1 << 24
MARIADB_CLIENT_PROGRESS, MARIADB_CLIENT_CACHE_METADATA = 1 << 0, 1 << 4
QUIET_SECONDS = 0.4


class Conn(capture_client.Conn):
    """capture_client's connection (read, write with the next sequence id) plus drain()."""

    def drain(self):
        """Reads until the server is quiet; returns the payloads."""
        payloads = []
        self.sock.settimeout(QUIET_SECONDS)
        try:
            while True:
                payloads.append(self.read())
        except socket.timeout:
            pass
        finally:
            self.sock.settimeout(None)
        return payloads

    def command(self, payload):
        self.write(payload, seq=0)
        return self.drain()


def execute(stmt_id, flags, values):
    """COM_STMT_EXECUTE with LONGLONG parameters (None for NULL)."""
    out = b"\x17" + struct.pack("<IBI", stmt_id, flags, 1)
    if values:
        bitmap = bytearray((len(values) + 7) // 8)
        for i, v in enumerate(values):
            if v is None:
                bitmap[i // 8] |= 1 << (i % 8)
        out += bytes(bitmap) + b"\x01" + b"\x08\x00" * len(values)
        out += b"".join(struct.pack("<q", v) for v in values if v is not None)
    return out


def main():
    port, user, password, deprecate_eof = (int(sys.argv[1]), sys.argv[2].encode(),
                                           sys.argv[3].encode(), sys.argv[4] == "1")
    c = Conn(port)
    nonce = greeting_nonce(c.read())
    # Bit 0 clear: a MariaDB client, whose extended capabilities go in the last 4 filler bytes.
    caps = (CLIENT_CONNECT_WITH_DB | CLIENT_LOCAL_FILES | CLIENT_PROTOCOL_41 | CLIENT_TRANSACTIONS
            | CLIENT_SECURE_CONNECTION | CLIENT_MULTI_STATEMENTS | CLIENT_MULTI_RESULTS
            | CLIENT_PS_MULTI_RESULTS | CLIENT_PLUGIN_AUTH | CLIENT_SESSION_TRACK)
    if deprecate_eof:
        caps |= CLIENT_DEPRECATE_EOF
    extended = MARIADB_CLIENT_PROGRESS | MARIADB_CLIENT_CACHE_METADATA
    scramble = native_scramble(password, nonce)
    response = (struct.pack("<IIB", caps, 1 << 24, 45) + b"\0" * 19 + struct.pack("<I", extended)
                + user + b"\0" + bytes([len(scramble)]) + scramble + b"t\0"
                + b"mysql_native_password\0")
    c.write(response)
    assert c.read()[0] == 0x00
    c.command(b"\x03SET session_track_system_variables='last_gtid,autocommit'")
    # Multi-statements: a result set, an OK, then an ERR that ends the chain.
    c.command(b"\x03SELECT 1 AS one; INSERT INTO t.items VALUES (20,'multi',NULL,NULL,NULL); "
              b"SELECT * FROM t.nosuch; SELECT 2")
    c.command(b"\x03SELECT id FROM t.items WHERE id <= 2 ORDER BY id; DELETE FROM t.items WHERE id = 20")
    # An ERR after a row: the subquery returns two rows only for id 2.
    c.command(b"\x03SELECT id, IF(id = 2, (SELECT id FROM t.items), 0) AS x FROM t.items "
              b"WHERE id <= 2 ORDER BY id")
    # LOCAL INFILE: content in one packet then the empty packet; then an empty file.
    load = b"\x03LOAD DATA LOCAL INFILE 'items.csv' INTO TABLE t.items FIELDS TERMINATED BY ','"
    assert c.command(load)[-1][0] == 0xfb
    c.write(b"30,loaded,3.00,\\N,\\N\n31,more,4.00,\\N,\\N\n")
    c.write(b"")
    c.drain()
    assert c.command(load)[-1][0] == 0xfb
    c.write(b"")
    c.drain()
    replies = c.command(b"\x03DELETE FROM t.items WHERE id >= 30; LOAD DATA LOCAL INFILE 'x.csv' "
                        b"INTO TABLE t.items FIELDS TERMINATED BY ','; SELECT COUNT(*) FROM t.items")
    assert replies[-1][0] == 0xfb
    c.write(b"32,multi,5.00,\\N,\\N\n")
    c.write(b"")
    c.drain()
    c.command(b"\x03DELETE FROM t.items WHERE id >= 30")
    c.command(b"\x04items\0")  # COM_FIELD_LIST
    # A cursor: execute with CURSOR_TYPE_READ_ONLY, fetch one row, then the rest, then once more.
    prepared = c.command(b"\x16SELECT id, name FROM t.items WHERE id <= ? ORDER BY id")
    stmt_id = struct.unpack("<I", prepared[0][1:5])[0]
    c.command(execute(stmt_id, 1, [2]))
    c.command(b"\x1c" + struct.pack("<II", stmt_id, 1))
    c.command(b"\x1c" + struct.pack("<II", stmt_id, 5))
    c.command(b"\x1c" + struct.pack("<II", stmt_id, 5))
    c.write(b"\x19" + struct.pack("<I", stmt_id), 0)  # COM_STMT_CLOSE
    # A procedure with an OUT parameter, prepared and through COM_QUERY.
    prepared = c.command(b"\x16CALL t.counts(?)")
    call_id = struct.unpack("<I", prepared[0][1:5])[0]
    c.command(execute(call_id, 0, [None]))
    c.write(b"\x19" + struct.pack("<I", call_id), 0)
    c.command(b"\x03CALL t.counts(@n)")
    # MariaDB's execute-direct: PREPARE and EXECUTE of statement -1 sent together, then CLOSE of -1.
    c.write(b"\x16SELECT name FROM t.items WHERE id = ?", 0)
    c.write(execute(0xffffffff, 0, [1]), 0)
    c.drain()
    c.write(b"\x19" + struct.pack("<I", 0xffffffff), 0)
    c.command(execute(123456, 0, []))  # an unknown statement: ERR
    c.command(b"\x0d")  # COM_DEBUG
    c.write(b"\x01", 0)  # COM_QUIT


if __name__ == "__main__":
    main()
