"""A TCP proxy a test controls, between the van and the centre: it forwards bytes both ways on
real sockets, and when armed it drops the connection once the van has sent N more bytes (a 4G
link going away in the middle of a push). Not a mock: the van's HTTP client and the centre's
server see a real reset connection."""

from __future__ import annotations

import contextlib
import socket
import threading


class CuttingProxy:
    def __init__(self, target_port: int) -> None:
        self.target = ("127.0.0.1", target_port)
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._lock = threading.Lock()
        self._budget: int | None = None  # bytes the van may still send before the cut (None: no cut)
        self.cuts = 0
        self.up_bytes = 0
        self._open: list[socket.socket] = []
        self._stop = False
        threading.Thread(target=self._accept, daemon=True).start()

    def cut_after(self, n: int) -> None:
        """Drop the van's connection once it has sent `n` more bytes."""
        with self._lock:
            self._budget = n

    def restore(self) -> None:
        with self._lock:
            self._budget = None

    def close(self) -> None:
        self._stop = True
        self.listener.close()
        for s in list(self._open):
            _close(s)

    def _accept(self) -> None:
        while not self._stop:
            try:
                van, _ = self.listener.accept()
            except OSError:  # the listener was closed: the proxy stops
                return
            centre = socket.create_connection(self.target)
            self._open += [van, centre]
            threading.Thread(target=self._pipe, args=(van, centre, True), daemon=True).start()
            threading.Thread(target=self._pipe, args=(centre, van, False), daemon=True).start()

    def _pipe(self, src: socket.socket, dst: socket.socket, up: bool) -> None:
        try:
            while True:
                data = src.recv(16384)
                if not data:
                    break
                if up:
                    with self._lock:
                        self.up_bytes += len(data)
                        budget = self._budget
                        if budget is not None:
                            if len(data) >= budget:
                                data = data[:budget]
                                self._budget = None
                                self.cuts += 1
                                cut = True
                            else:
                                self._budget = budget - len(data)
                                cut = False
                        else:
                            cut = False
                    if cut:
                        if data:
                            dst.sendall(data)
                        break
                dst.sendall(data)
        except OSError:  # the other side went away: this direction ends too
            pass
        _close(src)
        _close(dst)


def _close(s: socket.socket) -> None:
    with contextlib.suppress(OSError):  # already closed
        s.shutdown(socket.SHUT_RDWR)
    s.close()
