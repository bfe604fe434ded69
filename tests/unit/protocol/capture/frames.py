#!/usr/bin/env python3
"""Splits a relay log (relay.py) into MySQL frames per direction and prints each frame as hex, one a
line: `N C>S seq=S len=L <hex of header+payload>`. Stops at the first TLS record (after SSLRequest)."""
import sys


def frames(log_path):
    buffers = {"C>S": b"", "S>C": b""}
    out = []
    n = 0
    for line in open(log_path):
        direction, hexdata = line.split()
        buffers[direction] += bytes.fromhex(hexdata)
        buf = buffers[direction]
        while len(buf) >= 4:
            if buf[0] == 0x16 and buf[1] == 0x03:  # TLS handshake record: no more plain frames
                buffers[direction] = b""
                buf = b""
                break
            size = int.from_bytes(buf[:3], "little")
            if len(buf) < 4 + size:
                break
            out.append((n, direction, buf[3], size, buf[:4 + size]))
            n += 1
            buf = buf[4 + size:]
        buffers[direction] = buf
    return out


if __name__ == "__main__":
    for n, direction, seq, size, frame in frames(sys.argv[1]):
        print(f"{n} {direction} seq={seq} len={size} {frame.hex()}")
