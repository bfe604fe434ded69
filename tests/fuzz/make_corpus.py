#!/usr/bin/env python3
"""Writes the seed corpus of every fuzz target (corpus/<target>/) from the frames captured from
MariaDB 10.11 (tests/unit/protocol/captured_frames.h), each prefixed with the parameters the target
reads first (see README.md); exchange_tracker's seeds are the command phases of the captured relay
logs (tests/unit/protocol/capture/logs)."""
import os
import re
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
FRAMES = os.path.join(HERE, "..", "unit", "protocol", "captured_frames.h")
LOGS = os.path.join(HERE, "..", "unit", "protocol", "capture", "logs")
EXCHANGE_LOGS = ["cli-0.log", "cli-2.log", "cli-4.log", "script-eof.log", "script-deprecate-eof.log",
                 "exchanges-eof.log", "exchanges-deprecate-eof.log"]
CLI_CAPS, CLI_MARIADB_CAPS = 0x00bfa284, 0x1d
SCRIPT_CAPS, SCRIPT_DEPRECATE_EOF_CAPS = 0x00aea209, 0x01aea209
ITEM_TYPES = bytes([0x03, 0xfd, 0xf6, 0x0c, 0xfc])


def load_frames():
    text = open(FRAMES).read()
    frames = {}
    for name, body in re.findall(r"inline constexpr std::string_view k(\w+) =[^\n]*\n((?:\s+\"[0-9a-f]*\";?\n)+)", text):
        frames[name] = bytes.fromhex("".join(re.findall(r"\"([0-9a-f]*)\"", body)))
    return frames


def u32(v):
    return struct.pack("<I", v)


def lenenc(data, pos):
    first = data[pos]
    if first < 0xfb:
        return first, pos + 1
    size = {0xfc: 2, 0xfd: 3, 0xfe: 8}[first]
    return int.from_bytes(data[pos + 1:pos + 1 + size], "little"), pos + 1 + size


def session_block(ok_payload):
    """The session-state block of a 4.1 OK with session tracking and a changed state."""
    pos = 1
    for _ in range(2):
        _, pos = lenenc(ok_payload, pos)
    pos += 4
    size, pos = lenenc(ok_payload, pos)
    pos += size
    size, pos = lenenc(ok_payload, pos)
    return ok_payload[pos:pos + size]


# Admin-port statements: one of each shape its parser and evaluator read.
ADMIN_SQL_SEEDS = [
    "SELECT * FROM performance_schema.replication_group_members",
    "select A, b as x from `s`.`t` where (b >= 1 or c like 'x\\%') and a not in ('a', NULL) "
    "order by x desc, 1 limit 1, 2",
    "SELECT a FROM t WHERE c IS NOT NULL AND NOT b <> -2 LIMIT 2 OFFSET 1",
    "SELECT @@x, @@global.y, f(), DATABASE() LIMIT 1",
    "SET GLOBAL group_replication_force_members = '127.0.0.1:1,127.0.0.1:2', b := ON",
    "SET NAMES utf8mb4 COLLATE utf8mb4_general_ci",
    "SHOW GLOBAL VARIABLES LIKE 'group_replication%'",
    "SHOW FULL TABLES FROM performance_schema WHERE Tables_in_performance_schema = 'x'",
    "USE `node1`; -- comment",
    "START GROUP_REPLICATION",
    "HELP 'x'",
]

# COM_QUERY texts for the statement classifier: one of each shape it reads.
CLASSIFIER_SEEDS = [
    "SELECT * FROM t WHERE note = 'x; DELETE' FOR UPDATE",
    "WITH c AS (SELECT REPLACE(a, 'x', 'y') FROM t) UPDATE t, c SET t.a = @v := 1",
    "/*!50000 SET NAMES utf8 */; -- x\n# y\nSELECT /*+ hint */ `a``b` INTO @v",
    "SET @@SESSION.group_replication_consistency = 'BEFORE', autocommit = 0",
    "SELECT @@group_replication_consistency AS c",
    "ROUTER SET access_mode = 'read_only'",
    "START TRANSACTION READ ONLY, WITH CONSISTENT SNAPSHOT",
    "COMMIT WORK AND NO CHAIN RELEASE",
    "SET STATEMENT max_statement_time = 1 FOR SELECT GET_LOCK('a', 1)",
    "CREATE /*M!100000 OR REPLACE */ TEMPORARY TABLE t (a INT)",
]


def log_frames(path):
    """(from_client, payload) of each frame of a relay log, in order."""
    buffers = {"C>S": b"", "S>C": b""}
    frames = []
    for line in open(path):
        direction, hexdata = line.split()
        buf = buffers[direction] + bytes.fromhex(hexdata)
        while len(buf) >= 4 and len(buf) >= 4 + int.from_bytes(buf[:3], "little"):
            size = int.from_bytes(buf[:3], "little")
            frames.append((direction == "C>S", buf[4:4 + size]))
            buf = buf[4 + size:]
        buffers[direction] = buf
    return frames


def exchange_seed(path):
    """The agreed capabilities and the command phase of a captured session as exchange_tracker steps."""
    frames = log_frames(path)
    greeting, response = frames[0][1], frames[1][1]
    pos = greeting.index(b"\0", 1) + 1 + 4 + 8 + 1
    server_caps = int.from_bytes(greeting[pos:pos + 2], "little")
    server_caps |= int.from_bytes(greeting[pos + 5:pos + 7], "little") << 16
    server_mariadb = int.from_bytes(greeting[pos + 14:pos + 18], "little")
    client_caps = int.from_bytes(response[0:4], "little")
    client_mariadb = int.from_bytes(response[28:32], "little")
    caps = server_caps & client_caps
    mariadb = server_mariadb & client_mariadb if not caps & 1 else 0
    login = next(i for i in range(2, len(frames)) if not frames[i][0] and frames[i][1][:1] == b"\0")
    seed = u32(caps) + u32(mariadb)
    for from_client, payload in frames[login + 1:]:
        seed += bytes([1 if from_client else 0]) + struct.pack("<H", len(payload)) + payload
    return seed


def main():
    f = load_frames()
    p = {name: frame[4:] for name, frame in f.items()}
    oks_cli = ["CliOk", "OkSchemaTracked", "OkAutocommitTracked", "OkInitDbTracked"]
    oks_script = ["OkAfterAuthSwitch", "OkStateChangeTracked", "OkAutocommitStateTracked",
                  "OkTransactionCharacteristics", "OkInsertTransactionState", "OkLastGtidTracked",
                  "OkPing"]
    tracked = ["OkStateChangeTracked", "OkAutocommitStateTracked", "OkTransactionCharacteristics",
               "OkLastGtidTracked", "OkInitDbTracked"]
    corpus = {
        "frame": [f["CliGreeting"], f["CliTextRow1"] + f["CliTextRow2"], f["Quit"], f["StmtExecute"]],
        "lenenc": [bytes([0x05]), bytes.fromhex("fcfb00"), bytes.fromhex("fd000001"),
                   bytes.fromhex("fe0000000100000000")],
        "err_packet": [u32(CLI_CAPS) + p["ErrAccessDenied"], u32(CLI_CAPS) + p["ErrUnknownTable"],
                       u32(SCRIPT_CAPS) + p["ErrUnknownThread"], u32(0) + p["ErrUnknownThread"]],
        "ok_packet": [u32(CLI_CAPS) + p[n] for n in oks_cli] + [u32(SCRIPT_CAPS) + p[n] for n in oks_script]
                     + [u32(SCRIPT_DEPRECATE_EOF_CAPS) + p["OkEndOfRowsTracked"]],
        "eof_packet": [u32(CLI_CAPS) + p["CliEof"], u32(SCRIPT_CAPS) + p["EofAfterRows"]],
        "session_state": [session_block(p[n]) for n in tracked],
        "server_greeting": [p["CliGreeting"], p["ScriptGreeting"], p["SslGreeting"]],
        "handshake_response": [p["CliHandshakeResponse"], p["CliHandshakeResponseWithDb"],
                               p["ScriptHandshakeResponse"], p["DeprecateEofHandshakeResponse"]],
        "ssl_request": [p["SslRequest"]],
        "auth_switch_request": [p["AuthSwitchRequest"], p["ChangeUserAuthSwitch"]],
        "auth_switch_response": [p["AuthSwitchResponse"]],
        "auth_more_data": [bytes.fromhex("0103"), bytes.fromhex("0104")],
        "column_count": [u32(CLI_CAPS) + u32(CLI_MARIADB_CAPS) + p["CliColumnCount"]],
        "column_definition": [u32(CLI_MARIADB_CAPS) + p[n] for n in
                              ["CliColumnId", "CliColumnName", "CliColumnPrice", "CliColumnMade",
                               "CliColumnNote"]] + [u32(0) + p["ParamDefinition"]],
        "text_row": [bytes([5]) + p[n] for n in ["CliTextRow1", "CliTextRow2", "TextRowWithNull"]],
        "binary_row": [bytes([5]) + ITEM_TYPES + p[n] for n in ["BinaryRow1", "BinaryRow2"]],
        "stmt_prepare_ok": [u32(SCRIPT_CAPS) + p["StmtPrepareOk"]],
        "stmt_execute": [bytes([1, 0]) + p["StmtExecute"]],
        "change_user": [u32(SCRIPT_CAPS) + p["ChangeUser"]],
        "command": [p[n] for n in ["CliQuery", "CliInitDb", "Ping", "Quit", "ProcessKill",
                                   "SetOption", "Statistics", "ResetConnection"]],
        "stmt_command": [p[n] for n in ["StmtPrepare", "StmtSendLongData", "StmtClose", "StmtReset"]],
        "classifier": [s.encode() for s in CLASSIFIER_SEEDS],
        "admin_sql": [s.encode() for s in ADMIN_SQL_SEEDS],
        "exchange_tracker": [exchange_seed(os.path.join(LOGS, n)) for n in EXCHANGE_LOGS],
    }
    for target, seeds in corpus.items():
        folder = os.path.join(HERE, "corpus", target)
        os.makedirs(folder, exist_ok=True)
        for i, seed in enumerate(seeds):
            with open(os.path.join(folder, f"seed-{i}"), "wb") as out:
                out.write(seed)


if __name__ == "__main__":
    main()
