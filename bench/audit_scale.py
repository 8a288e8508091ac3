"""What the keyed audit log costs, and whether its checks stay flat in memory.

1. The hash of one event: plain sha256 (the unkeyed formula) against HMAC-SHA256 (keyed), in
   microseconds per event, over the same events.
2. ``append_many`` of 3 events per result (predikat, incentive, training) in batches.
3. ``compare_results`` (results against their audit events) and ``verify`` (the chain) for a
   small and a large number of results: seconds, and the peak of Python memory allocated
   (tracemalloc) during the call. The peak must not grow with the number of results.

    python bench/audit_scale.py --small 10000 --results 100000 [--url postgresql+psycopg://...]
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

os.environ.setdefault("KINERJA_AUDIT_KEY", "bench-audit-key-not-secret-0123456789abcdef")


def hash_cost(events: int) -> tuple[float, float]:
    """Microseconds per event for the unkeyed and the keyed hash of the same events."""
    from kinerja.models.audit.canonical import event_hash
    from kinerja.models.audit.chain import GENESIS_HASH
    from kinerja.models.audit.keys import signing_keyring

    key = signing_keyring().signing
    at = datetime(2026, 12, 31, 9)
    rows = [
        {
            "seq": i,
            "at": at,
            "actor": "system",
            "action": "result.incentive",
            "cycle_id": "bench-2026",
            "entity": "result",
            "entity_id": f"{i:018d}",
            "payload": {"predikat": "baik", "grade": "III/b", "incentive": f"{i}.00"},
        }
        for i in range(events)
    ]
    out = []
    for signer in (None, key):
        started = time.perf_counter()
        prev = GENESIS_HASH
        for row in rows:
            prev = event_hash(prev_hash=prev, key=signer, **row)
        out.append((time.perf_counter() - started) / events * 1e6)
    return out[0], out[1]


def build(url: str, results: int) -> float:
    """A cycle with ``results`` results and 3 audit events each; returns append seconds."""
    from kinerja.models.audit.chain import append_many
    from kinerja.models.cycles.cycle import create_cycle
    from kinerja.models.schemas.config import Coordinator, CycleConfig
    from kinerja.models.store.bulk import upsert
    from kinerja.models.store.db import get_engine, session_scope
    from kinerja.models.store.tables import Result

    engine = get_engine(url)
    config = CycleConfig(
        cycle_id="bench-2026",
        name="bench",
        policy="asn",
        period_start=date(2026, 1, 1),
        period_end=date(2026, 12, 31),
        coordinator=Coordinator(nip="HR", name="HR"),
    )
    at = datetime(2026, 12, 31, 9)
    with session_scope(engine) as session:
        create_cycle(session, config=config, config_dir=None, now=at)
    appending = 0.0
    step = 10_000
    for lo in range(0, results, step):
        nips = [f"{i:018d}" for i in range(lo, min(results, lo + step))]
        rows = [
            {
                "cycle_id": "bench-2026",
                "nip": nip,
                "unit_id": "U",
                "hasil_kerja": "sesuai",
                "perilaku": "sesuai",
                "predikat": "baik",
                "incentive": Decimal(3_000_000 + i),
                "training_jp": 20.0,
                "perilaku_values": {},
                "derivation": {},
            }
            for i, nip in enumerate(nips)
        ]
        events = []
        for row in rows:
            base = {"actor": "system", "cycle_id": "bench-2026", "entity": "result"}
            events += [
                {
                    **base,
                    "action": "result.predikat",
                    "entity_id": row["nip"],
                    "payload": {"hasil_kerja": "sesuai", "perilaku": "sesuai", "predikat": "baik"},
                },
                {
                    **base,
                    "action": "result.incentive",
                    "entity_id": row["nip"],
                    "payload": {"predikat": "baik", "incentive": str(row["incentive"])},
                },
                {
                    **base,
                    "action": "result.training",
                    "entity_id": row["nip"],
                    "payload": {"predikat": "baik", "training_jp": 20},
                },
            ]
        with session_scope(engine) as session:
            upsert(session, table=Result.__table__, rows=rows, keys=["cycle_id", "nip"], update=[])
            started = time.perf_counter()
            append_many(session, events=events, at=at)
            appending += time.perf_counter() - started
    return appending


def measured(action: Callable[[], Any]) -> tuple[Any, float, float]:
    """(result, seconds, peak MiB of Python allocations) of ``action``: timed in a plain
    run, then run again under tracemalloc (which slows it several times) for the peak."""
    started = time.perf_counter()
    out = action()
    seconds = time.perf_counter() - started
    tracemalloc.start()
    action()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return out, seconds, peak / 2**20


def run(url: str, results: int) -> dict[str, float]:
    from kinerja.models.audit.verify import verify
    from kinerja.models.results.agreement import compare_results
    from kinerja.models.store.db import get_engine, session_scope
    from kinerja.models.store.migrate import upgrade

    upgrade(url)
    appending = build(url, results)
    with session_scope(get_engine(url)) as session:
        report, compare_s, compare_mib = measured(lambda: compare_results(session))
        assert report.ok and report.rows == results, report.differences[:3]
        chain, verify_s, verify_mib = measured(lambda: verify(session))
        assert chain.ok, chain.problems[:3]
    return {
        "results": results,
        "events": chain.events,
        "append_s": appending,
        "compare_s": compare_s,
        "compare_mib": compare_mib,
        "verify_s": verify_s,
        "verify_mib": verify_mib,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", type=int, default=10_000)
    parser.add_argument("--results", type=int, default=100_000)
    parser.add_argument("--url", help="An empty database (default: a temporary SQLite file)")
    args = parser.parse_args()

    unkeyed, keyed = hash_cost(20_000)
    print(f"hash per event: sha256 {unkeyed:.1f} us, HMAC-SHA256 {keyed:.1f} us "
          f"(+{keyed - unkeyed:.1f} us, x{keyed / unkeyed:.2f})")  # fmt: skip
    rows = []
    for n in (args.small, args.results):
        with tempfile.TemporaryDirectory() as tmp:
            os.environ["KINERJA_HOME"] = tmp
            url = args.url or f"sqlite:///{Path(tmp) / 'bench.db'}"
            if args.url:
                from sqlalchemy import create_engine, text

                with create_engine(url).begin() as conn:
                    conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
            rows.append(run(url, n))
            from kinerja.models.store.db import dispose_engines

            dispose_engines()
    for r in rows:
        print(
            f"{r['results']:>7} results, {r['events']:>7} events: append {r['append_s']:.1f} s "
            f"({r['events'] / r['append_s']:.0f} events/s); compare_results {r['compare_s']:.1f} s,"
            f" peak {r['compare_mib']:.1f} MiB; verify {r['verify_s']:.1f} s, peak "
            f"{r['verify_mib']:.1f} MiB"
        )
    small, large = rows
    print(
        f"ratio large/small: results x{large['results'] / small['results']:.0f}, compare time "
        f"x{large['compare_s'] / small['compare_s']:.1f}, compare peak "
        f"x{large['compare_mib'] / small['compare_mib']:.2f}, verify peak "
        f"x{large['verify_mib'] / small['verify_mib']:.2f}"
    )


if __name__ == "__main__":
    main()
