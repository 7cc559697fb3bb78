"""When to try a failed notification again: pure rules, no I/O.

After n failed attempts the next one waits base * factor**(n-1) seconds, at most `cap`,
shortened by up to `jitter` of itself so many messages failing together (a provider outage)
do not all come back in the same second. The jitter is deterministic: it comes from a hash
of a seed (the notification id) and n, so a retry schedule can be reproduced in a test or
explained to an officer. Once `max_attempts` attempts failed, the message is dead.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class Backoff:
    base: float = 30.0  # seconds before the 2nd attempt (before jitter)
    factor: float = 2.0
    cap: float = 3600.0  # no wait is ever longer than this
    max_attempts: int = 8  # attempts in all, the first included
    jitter: float = 0.2  # fraction of the delay that may be taken off

    def __post_init__(self) -> None:
        if self.base <= 0 or self.cap < self.base or self.factor < 1:
            raise ValueError("need 0 < base <= cap and factor >= 1")
        if not 0 <= self.jitter < 1:
            raise ValueError("jitter is a fraction in [0, 1)")
        if self.max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")


def base_delay(failures: int, policy: Backoff) -> float:
    """Seconds to wait after `failures` failed attempts (>= 1), before jitter."""
    if failures < 1:
        raise ValueError("failures counts from 1")
    try:
        delay = policy.base * policy.factor ** (failures - 1)
    except OverflowError:
        return policy.cap
    return min(policy.cap, delay)


def unit_jitter(seed: str, failures: int) -> float:
    """A number in [0, 1) fixed by (seed, failures)."""
    digest = hashlib.sha256(f"{seed}:{failures}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def delay(failures: int, policy: Backoff, seed: str = "") -> float:
    """Seconds to wait after `failures` failed attempts, jitter included (never over cap)."""
    d = base_delay(failures, policy)
    return d * (1 - policy.jitter * unit_jitter(seed, failures))


def is_dead(failures: int, policy: Backoff) -> bool:
    return failures >= policy.max_attempts


def next_attempt_at(failures: int, now: datetime, policy: Backoff, seed: str = "") -> datetime | None:
    """When to try again after `failures` failed attempts; None once the message is dead."""
    if is_dead(failures, policy):
        return None
    return now + timedelta(seconds=delay(failures, policy, seed))
