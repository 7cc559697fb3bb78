"""Durations: the one percentile method of the package, and a mergeable minute histogram. Pure.

Durations are whole microseconds (`int`), so sums are exact and merging in any order gives the
same total; seconds (`float`) appear only in the figures shown.

Percentile method (used everywhere in oversight): **nearest rank**. The p-th percentile of n
values is the value at rank ``ceil(p/100 * n)`` (at least 1) in ascending order. It is always a
duration that really occurred. The median is p50: of 1, 2, 3, 4 minutes it is 2 minutes (not
2.5); the 90th percentile of ten waits is the 9th shortest.

Histogram: bucket 0 holds durations of exactly 0; bucket k (1 <= k <= 1440) holds durations in
``((k-1) min, k min]``; longer than 24 hours goes to the overflow bucket 1441. Only non-empty
buckets are stored. Precision:

- counts against whole-minute thresholds up to 24 h are exact: "longer than m minutes" is the
  sum of buckets above m, "at most m minutes" the sum of buckets 0..m;
- a percentile from the histogram is the upper edge of the bucket holding the nearest-rank value,
  so ``exact <= estimate < exact + 60 s`` (equal when the exact value is a whole minute); in the
  overflow bucket the estimate is 24 h, a lower bound;
- the mean is exact (sum and count are kept).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from fractions import Fraction

US_PER_SECOND = 1_000_000
BUCKET_US = 60 * US_PER_SECOND  # one minute
MAX_BUCKET = 24 * 60  # bucket of (23:59, 24:00]
OVERFLOW = MAX_BUCKET + 1


def micros(delta: timedelta) -> int:
    """A timedelta as whole microseconds (exact: timedelta itself counts microseconds)."""
    return delta // timedelta(microseconds=1)


def seconds(us: int | float) -> float:
    return us / US_PER_SECOND


def rank(p: float, n: int) -> int:
    """The nearest rank (1-based) of the p-th percentile among n values; p in [0, 100]."""
    if not 0 <= p <= 100:
        raise ValueError("percentile must be between 0 and 100")
    if n <= 0:
        raise ValueError("no values")
    return max(1, math.ceil(Fraction(p) * n / 100))


def percentile(values: Sequence[int], p: float) -> int | None:
    """The exact nearest-rank percentile of `values` (any order); None when there are none."""
    if not values:
        return None
    return sorted(values)[rank(p, len(values)) - 1]


def bucket_of(us: int) -> int:
    """The histogram bucket of a duration (negative durations must be clamped before)."""
    if us < 0:
        raise ValueError("negative duration")
    return min(OVERFLOW, -(-us // BUCKET_US))


def bucket_upper_us(bucket: int) -> int:
    """The upper edge of a bucket; for the overflow bucket, its lower edge (24 h)."""
    return min(bucket, MAX_BUCKET) * BUCKET_US


@dataclass(frozen=True, slots=True)
class Distribution:
    """Count, exact sum and minute histogram of durations; `+` merges two of them."""

    count: int = 0
    total_us: int = 0
    buckets: tuple[tuple[int, int], ...] = ()  # (bucket, count), ascending, counts > 0

    @classmethod
    def of(cls, values_us: Iterable[int]) -> Distribution:
        counter: Counter[int] = Counter()
        count = total = 0
        for us in values_us:
            counter[bucket_of(us)] += 1
            count += 1
            total += us
        return cls(count, total, tuple(sorted(counter.items())))

    @classmethod
    def merge_all(cls, parts: Iterable[Distribution]) -> Distribution:
        counter: Counter[int] = Counter()
        count = total = 0
        for d in parts:
            count += d.count
            total += d.total_us
            for b, n in d.buckets:
                counter[b] += n
        return cls(count, total, tuple(sorted(counter.items())))

    def __add__(self, other: Distribution) -> Distribution:
        return Distribution.merge_all((self, other))

    def mean_seconds(self) -> float | None:
        return seconds(self.total_us) / self.count if self.count else None

    def percentile_us(self, p: float) -> int | None:
        """Nearest-rank percentile, as the upper edge of its bucket (see the module docstring)."""
        if not self.count:
            return None
        wanted = rank(p, self.count)
        seen = 0
        for b, n in self.buckets:
            seen += n
            if seen >= wanted:
                return bucket_upper_us(b)
        raise AssertionError("bucket counts do not add up to count")  # pragma: no cover

    def percentile_seconds(self, p: float) -> float | None:
        us = self.percentile_us(p)
        return None if us is None else seconds(us)

    def count_over(self, minutes: int) -> int:
        """How many lasted longer than `minutes` (exact for 0 <= minutes <= 1440)."""
        _check_minutes(minutes)
        return sum(n for b, n in self.buckets if b > minutes)

    def count_within(self, minutes: int) -> int:
        """How many lasted at most `minutes` (exact for 0 <= minutes <= 1440)."""
        return self.count - self.count_over(minutes)

    def as_dict(self) -> dict[str, object]:
        """A JSON-ready form, for a stored rollup."""
        return {"count": self.count, "total_us": self.total_us, "buckets": [list(p) for p in self.buckets]}

    @classmethod
    def from_dict(cls, data: dict[str, object]) -> Distribution:
        raw = data.get("buckets") or []
        assert isinstance(raw, list)
        count, total = data.get("count", 0), data.get("total_us", 0)
        assert isinstance(count, int) and isinstance(total, int)
        pairs = tuple(map(tuple, raw))  # JSON gives [bucket, count] pairs of ints
        if not all(type(b) is int and type(n) is int for b, n in pairs):
            pairs = tuple((int(b), int(n)) for b, n in pairs)
        return cls(count, total, pairs)


def _check_minutes(minutes: int) -> None:
    if not 0 <= minutes <= MAX_BUCKET:
        raise ValueError("a threshold must be between 0 and 1440 whole minutes")


def exact_count_over(values_us: Iterable[int], minutes: int) -> int:
    _check_minutes(minutes)
    limit = minutes * BUCKET_US
    return sum(1 for us in values_us if us > limit)


@dataclass(frozen=True, slots=True)
class Dense:
    """A `Distribution` with its buckets as one run of counts from bucket `lo` (zeros inside the
    run): what the national view keeps per site and month, because many of them add up bucket by
    bucket in a few C-level passes instead of a dictionary update per bucket."""

    count: int = 0
    total_us: int = 0
    lo: int = 0
    counts: tuple[int, ...] = ()

    @classmethod
    def of(cls, d: Distribution) -> Dense:
        if not d.buckets:
            return cls(d.count, d.total_us)
        lo, hi = d.buckets[0][0], d.buckets[-1][0]
        run = [0] * (hi - lo + 1)
        for b, n in d.buckets:
            run[b - lo] = n
        return cls(d.count, d.total_us, lo, tuple(run))

    def distribution(self) -> Distribution:
        lo = self.lo
        return Distribution(self.count, self.total_us, tuple((lo + i, n) for i, n in enumerate(self.counts) if n))

    def as_list(self) -> list[int]:
        """[count, total_us, lo, counts...]: a JSON-ready form."""
        return [self.count, self.total_us, self.lo, *self.counts]

    @classmethod
    def from_list(cls, values: Sequence[int]) -> Dense:
        return cls(values[0], values[1], values[2], tuple(values[3:]))

    @classmethod
    def merge_all(cls, parts: Iterable[Dense]) -> Dense:
        parts = [p for p in parts if p.count or p.counts]
        if len(parts) <= 1:
            return parts[0] if parts else cls()
        runs = [p for p in parts if p.counts]
        count, total = sum(p.count for p in parts), sum(p.total_us for p in parts)
        if not runs:
            return cls(count, total)
        lo = min(p.lo for p in runs)
        hi = max(p.lo + len(p.counts) for p in runs)
        padded = [(0,) * (p.lo - lo) + p.counts + (0,) * (hi - p.lo - len(p.counts)) for p in runs]
        return cls(count, total, lo, tuple(map(sum, zip(*padded, strict=True))))
