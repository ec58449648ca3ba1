# Exchanges two paths with renameat2(RENAME_EXCHANGE) as fast as it can, as a hostile process in
# a browsed container would: a directory and a link to the inspecting side trade places. A line
# "p" on stdin pauses it (it answers "paused" once no exchange is under way); "c" resumes it.
import ctypes
import os
import select
import sys

libc = ctypes.CDLL(None, use_errno=True)
AT_FDCWD = -100
RENAME_EXCHANGE = 2
first, second = os.fsencode(sys.argv[1]), os.fsencode(sys.argv[2])
# Unbuffered, so that select() sees every line that has not been read yet.
commands = sys.stdin.buffer.raw

while True:
    for _ in range(200):
        libc.renameat2(AT_FDCWD, first, AT_FDCWD, second, RENAME_EXCHANGE)
    if select.select([commands], [], [], 0)[0]:
        line = commands.readline()
        if not line:
            break
        if line.strip() == b"p":
            sys.stdout.write("paused\n")
            sys.stdout.flush()
            while commands.readline().strip() not in (b"c", b""):
                pass
