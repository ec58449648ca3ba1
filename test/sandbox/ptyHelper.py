"""Runs argv (sys.argv[1:]) on a new pseudo-terminal and relays it over pipes.

`podman exec -t` and `podman attach` of a tty container need a terminal on their side, and
kubectl `-it` needs one too; Node has no pty without native modules. The command is exec'd
as an argv list, never through a shell.

fd 0 -> terminal input; terminal output -> fd 1. With PPE_PTY_CONTROL_FD=3, fd 3 carries resize
requests, one JSON object per line: {"Width": columns, "Height": rows}. End of fd 0 sends one ^D.
Exits with the command's exit code (128 + signal if it was killed). SIGTERM kills the command.
"""

import errno
import fcntl
import json
import os
import select
import signal
import struct
import sys
import termios
import time
import tty


def set_size(fd, width, height):
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", height, width, 0, 0))


def main():
    argv = sys.argv[1:]
    width = int(os.environ.get("PPE_PTY_COLUMNS", "80"))
    height = int(os.environ.get("PPE_PTY_ROWS", "24"))
    master, slave = os.openpty()
    # Size and raw mode are set before the command starts: nothing typed early is echoed twice,
    # and no resize from fd 3 can be overwritten by an initial size.
    set_size(master, width, height)
    tty.setraw(slave)
    pid = os.fork()
    if pid == 0:
        os.setsid()
        fcntl.ioctl(slave, termios.TIOCSCTTY, 0)
        for fd in (0, 1, 2):
            os.dup2(slave, fd)
        os.close(slave)
        os.close(master)
        if "PPE_PTY_CONTROL_FD" in os.environ:
            os.close(int(os.environ["PPE_PTY_CONTROL_FD"]))
        try:
            os.execvp(argv[0], argv)
        except OSError as error:
            os.write(2, f"{argv[0]}: {error.strerror}\r\n".encode())
            os._exit(127)
    os.close(slave)

    def terminate(_signum, _frame):
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass

    signal.signal(signal.SIGTERM, terminate)
    control = int(os.environ["PPE_PTY_CONTROL_FD"]) if "PPE_PTY_CONTROL_FD" in os.environ else None
    inputs = [0, master] + ([control] if control is not None else [])
    pending = b""
    # A resize that lands before the command has installed its SIGWINCH handler is lost (podman
    # reads the size once at start, then on SIGWINCH): signal it again a little later. The
    # container only sees a SIGWINCH when the size really changes, so repeats are harmless.
    winch_at = []
    while True:
        now = time.monotonic()
        if winch_at and winch_at[0] <= now:
            winch_at.pop(0)
            try:
                os.kill(pid, signal.SIGWINCH)
            except ProcessLookupError:
                pass
            continue
        timeout = winch_at[0] - now if winch_at else None
        try:
            ready, _, _ = select.select(inputs, [], [], timeout)
        except InterruptedError:
            continue
        if master in ready:
            try:
                data = os.read(master, 65536)
            except OSError as error:
                if error.errno != errno.EIO:
                    raise
                data = b""
            if not data:
                break
            os.write(1, data)
        if control is not None and control in ready:
            data = os.read(control, 4096)
            if not data:
                inputs.remove(control)
                continue
            pending += data
            while b"\n" in pending:
                line, pending = pending.split(b"\n", 1)
                size = json.loads(line)
                set_size(master, int(size["Width"]), int(size["Height"]))
                winch_at = [time.monotonic() + delay for delay in (0.25, 1.0)]
        # After resizes, so input sent after a resize meets the new size.
        if 0 in ready:
            data = os.read(0, 65536)
            if data:
                os.write(master, data)
            else:
                inputs.remove(0)
                os.write(master, b"\x04")
    _, status = os.waitpid(pid, 0)
    code = os.waitstatus_to_exitcode(status)
    sys.exit(code if code >= 0 else 128 - code)


if __name__ == "__main__":
    main()
