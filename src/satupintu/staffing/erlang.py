"""Erlang B and C (no I/O): waiting probability, average wait, service level, agents needed.

Traffic A is in Erlangs (arrivals per hour x handling time in hours). The Erlang B recursion
B(0) = 1, B(n) = A·B(n-1) / (n + A·B(n-1)) is numerically stable for large A and n; Erlang C
follows from it: C = N·B / (N - A·(1 - B)).
"""

from __future__ import annotations

import math

from ..errors import DomainError


def _check(traffic: float, agents: int) -> None:
    if not math.isfinite(traffic) or traffic < 0:
        raise DomainError("invalid", "Beban layanan (Erlang) tidak boleh negatif.", "traffic")
    if agents < 0:
        raise DomainError("invalid", "Jumlah loket tidak boleh negatif.", "agents")


def traffic_erlangs(arrivals_per_hour: float, handling_seconds: float) -> float:
    """Offered load: 30 visitors an hour x 6 minutes each = 3 Erlangs."""
    if arrivals_per_hour < 0:
        raise DomainError("invalid", "Jumlah kedatangan per jam tidak boleh negatif.", "arrivals_per_hour")
    if handling_seconds <= 0:
        raise DomainError("invalid", "Lama layanan harus lebih dari 0 detik.", "handling_seconds")
    return arrivals_per_hour * handling_seconds / 3600.0


def erlang_b(traffic: float, agents: int) -> float:
    """Blocking probability with `agents` servers and no queue."""
    _check(traffic, agents)
    b = 1.0
    for n in range(1, agents + 1):
        b = traffic * b / (n + traffic * b)
    return b


def erlang_c(traffic: float, agents: int) -> float:
    """Probability that a visitor has to wait; 1.0 when the counters cannot keep up (A >= N)."""
    _check(traffic, agents)
    if traffic == 0:
        return 0.0
    if agents <= traffic:
        return 1.0
    b = erlang_b(traffic, agents)
    return agents * b / (agents - traffic * (1 - b))


def average_wait(traffic: float, agents: int, handling_seconds: float) -> float:
    """Average speed of answer (seconds, over all visitors); inf when A >= N."""
    _check(traffic, agents)
    if traffic == 0:
        return 0.0
    if agents <= traffic:
        return math.inf
    return erlang_c(traffic, agents) * handling_seconds / (agents - traffic)


def service_level(traffic: float, agents: int, handling_seconds: float, target_seconds: float) -> float:
    """Share of visitors called within `target_seconds`."""
    _check(traffic, agents)
    if target_seconds < 0:
        raise DomainError("invalid", "Target waktu tunggu tidak boleh negatif.", "target_seconds")
    if traffic == 0:
        return 1.0
    if agents <= traffic:
        return 0.0
    return 1.0 - erlang_c(traffic, agents) * math.exp(-(agents - traffic) * target_seconds / handling_seconds)


def agents_for_service_level(traffic: float, handling_seconds: float, target_seconds: float,
                             target_level: float = 0.8, max_agents: int = 10_000) -> int:
    """The fewest counters so that `target_level` of visitors wait at most `target_seconds`."""
    if not 0 < target_level < 1:
        raise DomainError("invalid", "Target tingkat layanan harus di antara 0 dan 1 (mis. 0,8).", "target_level")
    _check(traffic, 0)
    if traffic == 0:
        return 0
    n = max(1, math.floor(traffic) + 1)
    while n <= max_agents:
        if service_level(traffic, n, handling_seconds, target_seconds) >= target_level:
            return n
        n += 1
    raise DomainError("invalid", f"Target layanan tidak tercapai dengan {max_agents} loket.", "target_level")
