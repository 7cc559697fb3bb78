"""An open-loop load at a fixed rate, for "N operations per second sustained, p99 under X".

wrk (closed loop) sends a request only when the previous one on its connection answered,
so a slow server is asked less and its slow moments hide (coordinated omission). Here every
stream has a fixed schedule, as in wrk2: request j of a stream is due at start + j/rate. A
request whose slot comes while the previous one is still out is sent as soon as that one
answers, and its latency counts from its due time, so waiting in line counts as latency.

Streams: kiosks issuing tickets, and officers at their own counters doing call-next, start,
finish in turn: one keep-alive connection each, the total rate split evenly among them.
Raw HTTP/1.1 over asyncio streams keeps the generator's own cost to a few percent of a core.
"""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass, field
from urllib.parse import urlsplit


@dataclass
class Result:
    rate: float  # asked for, operations per second
    seconds: float
    latencies_ms: list[float] = field(default_factory=list)
    done_at: list[float] = field(default_factory=list)  # perf_counter() when each answer came
    statuses: dict[int, int] = field(default_factory=dict)

    @property
    def achieved(self) -> float:
        return len(self.latencies_ms) / self.seconds

    @property
    def non_2xx(self) -> int:
        return sum(n for status, n in self.statuses.items() if not 200 <= status < 300)


def _request(host: str, method: str, path: str, headers: dict[str, str], body: bytes = b"") -> bytes:
    lines = [f"{method} {path} HTTP/1.1", f"Host: {host}", f"Content-Length: {len(body)}"]
    lines += [f"{k}: {v}" for k, v in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


async def _read_response(reader: asyncio.StreamReader) -> int:
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    if length:
        await reader.readexactly(length)
    return status


async def _stream(host: str, port: int, requests: list[bytes], first_due: float, interval: float, until: float,
                  result: Result) -> None:
    reader, writer = await asyncio.open_connection(host, port)
    clock = time.perf_counter  # not loop.time(): uvloop's clock has millisecond steps
    j = 0
    try:
        while True:
            due = first_due + j * interval
            if due >= until:
                return
            wait = due - clock()
            if wait > 0:
                await asyncio.sleep(wait)
            writer.write(requests[j % len(requests)])
            status = await _read_response(reader)
            now = clock()
            result.latencies_ms.append((now - due) * 1000)
            result.done_at.append(now)
            result.statuses[status] = result.statuses.get(status, 0) + 1
            j += 1
    finally:
        writer.close()


async def _run(base: str, kiosk_token: str, officer_token: str, counters: list[int], rate: float, seconds: float,
               kiosks: int, site: str, service: str) -> Result:
    parts = urlsplit(base)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    hostport = f"{host}:{port}"
    issue = _request(hostport, "POST", f"/api/v1/sites/{site}/tickets",
                     {"X-Device-Token": kiosk_token, "Content-Type": "application/json"},
                     json.dumps({"service": service}).encode())
    streams: list[list[bytes]] = [[issue] for _ in range(kiosks)]
    for n in counters:
        streams.append([_request(hostport, "POST", f"/api/v1/sites/{site}/counters/{n}/{step}",
                                 {"Authorization": f"Bearer {officer_token}"})
                        for step in ("call-next", "start", "finish")])
    interval = len(streams) / rate
    result = Result(rate, seconds)
    start = time.perf_counter() + 0.2
    # Streams start evenly spread over one interval, so requests do not arrive in bursts.
    await asyncio.gather(*(
        _stream(host, port, reqs, start + i * interval / len(streams), interval, start + seconds, result)
        for i, reqs in enumerate(streams)))
    return result


def run(base: str, kiosk_token: str, officer_token: str, counters: list[int], rate: float, seconds: float = 10,
        kiosks: int = 4, site: str = "lahat", service: str = "DKC-01") -> Result:
    """Kiosks issue and officers call/start/finish at `rate` operations per second in all."""
    try:
        import uvloop

        runner = uvloop.run
    except ImportError:  # pragma: no cover - uvloop comes with uvicorn[standard]
        runner = asyncio.run
    t0 = time.perf_counter()
    result = runner(_run(base, kiosk_token, officer_token, counters, rate, seconds, kiosks, site, service))
    result.seconds = max(seconds, time.perf_counter() - t0 - 0.2)
    return result
