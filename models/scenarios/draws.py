"""Seeded draws for the scenario generator: one ``random.Random`` (only ``random()``, whose
output is stable across Python versions) and keyed permutations for the NIPs, so a seed
gives identical bytes.
"""

from __future__ import annotations

import hashlib
import math
import random
from datetime import date, timedelta
from typing import Any

_M64 = (1 << 64) - 1


def mix(x: int) -> int:
    """splitmix64's finaliser: a fast, well-spread 64-bit hash of an integer."""
    x &= _M64
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & _M64
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & _M64
    return x ^ (x >> 31)


def pick(rng: random.Random, items: tuple[Any, ...] | list[Any]) -> Any:
    return items[int(rng.random() * len(items))]


def between(rng: random.Random, low: int, high: int) -> int:
    """An integer in [low, high], both included."""
    return low + int(rng.random() * (high - low + 1))


def normal(rng: random.Random, mu: float, sigma: float) -> float:
    # Box-Muller from random() alone: random.gauss keeps hidden state between calls.
    u1 = 1.0 - rng.random()
    return mu + sigma * math.sqrt(-2.0 * math.log(u1)) * math.cos(2.0 * math.pi * rng.random())


def weighted(rng: random.Random, choices: tuple[tuple[str, float], ...]) -> str:
    u = rng.random() * sum(w for _, w in choices)
    for value, weight in choices:
        u -= weight
        if u < 0:
            return value
    return choices[-1][0]


def fmt(x: float) -> str:
    """A number as a CSV cell: whole numbers without decimals, others with one."""
    r = round(x, 1)
    return str(int(r)) if r == int(r) else f"{r:.1f}"


class NipPool:
    """Unique 18-digit NIPs without remembering the ones handed out.

    NIP layout (ASN): birth date YYYYMMDD, appointment YYYYMM, sex digit (1 male, 2 female),
    3-digit sequence. Index ``i`` goes through a keyed permutation of [0, capacity) (a Feistel
    network with cycle walking) and the result is read as (birth day, sex, sequence): distinct
    indexes give distinct NIPs, in an order that looks random. Pools with disjoint sequence
    ranges never collide.
    """

    def __init__(
        self, *, seed: int, salt: str, born: tuple[date, date], seq_base: int, count: int,
        appointed_age: tuple[int, int], last_year: int, min_seq: int = 1,
    ) -> None:  # fmt: skip
        self.born_from = born[0]
        days = (born[1] - born[0]).days + 1
        # Twice the room needed (two sexes) keeps sequences small, as in real NIPs.
        self.seq_radix = max(min_seq, math.ceil(count / days))
        self.seq_base = seq_base
        if seq_base + self.seq_radix > 999:
            raise ValueError("too many people for 3-digit NIP sequences")
        self.capacity = days * 2 * self.seq_radix
        self.half = (max(2, (self.capacity - 1).bit_length()) + 1) // 2
        self.mask = (1 << self.half) - 1
        self.keys = [
            int.from_bytes(hashlib.sha256(f"{seed}:{salt}:{r}".encode()).digest()[:8], "big")
            for r in range(4)
        ]
        self.appointed_age = appointed_age
        self.last_year = last_year

    def _permute(self, x: int) -> int:
        while True:  # cycle walking: leave the power-of-two domain only inside [0, capacity)
            left, right = x >> self.half, x & self.mask
            for key in self.keys:
                left, right = right, left ^ (mix(right ^ key) & self.mask)
            x = (left << self.half) | right
            if x < self.capacity:
                return x

    def nip(self, index: int) -> tuple[str, int, int]:
        """The NIP at ``index``, with the person's sex digit and appointment year."""
        x = self._permute(index)
        seq = x % self.seq_radix + self.seq_base + 1
        sex = (x // self.seq_radix) % 2 + 1
        birth = self.born_from + timedelta(days=x // (2 * self.seq_radix))
        h = mix(x ^ self.keys[0])
        low, high = self.appointed_age
        year = min(birth.year + low + h % (high - low + 1), self.last_year)
        month = (h >> 20) % 12 + 1
        return f"{birth:%Y%m%d}{year:04d}{month:02d}{sex}{seq:03d}", sex, year
