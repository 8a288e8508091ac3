"""Concurrent SKM survey submissions against a real portal on loopback: all stored, each once.

A portal process (``kinerja portal``) serves one service unit's form on 127.0.0.1. Each
simulated citizen is a browser of its own (its own cookie): it opens the form, then sends
its answer. Two runs in the same process, on the same portal:

1. baseline: ``--baseline`` citizens one after another (1 concurrent);
2. load: ``--concurrent`` citizens whose answers are all sent at once.

Then every citizen of the load run sends a second answer at once: each must be refused (409)
and nothing more stored. The script prints submissions per second and the p95 latency of
each run and their ratios, and fails unless the table holds exactly one answer per citizen.

    python bench/survey_load.py [--concurrent 200] [--baseline 20] [--url postgresql+psycopg://...]

The per-address rate limit is raised for the run (every simulated citizen shares the address
127.0.0.1); the per-form limit stays on, raised to fit the run. Only ever run on loopback.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path

import httpx

HOST = "127.0.0.1"
SECRET = "bench-survey-secret-0123456789abcdefghij"
ANSWER = {f"U{i}": str(1 + i % 4) for i in range(1, 10)}


def prepare(url: str) -> str:
    """A service unit and its open form for this year; returns the form's code."""
    from kinerja.models.citizens.survey import open_form
    from kinerja.models.policy.loading import load_pack
    from kinerja.models.store.db import dispose_engines, get_engine, session_scope
    from kinerja.models.store.migrate import upgrade
    from kinerja.models.store.tables import Unit

    upgrade(url)
    today = date.today()
    with session_scope(get_engine(url)) as session:
        session.add(Unit(unit_id="LOKET", name="Loket", is_service_unit=True))
        session.flush()
        form = open_form(
            session,
            unit_id="LOKET",
            period=str(today.year),
            rules=load_pack("asn").ikm,
            now=datetime.now(),
            opens_on=today - timedelta(days=1),
            closes_on=today + timedelta(days=1),
        )
        code = form.form_id
    dispose_engines()
    return code


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def start_portal(url: str, port: int, per_form: int, log: Path) -> subprocess.Popen:
    env = dict(os.environ)
    env.update(
        KINERJA_DATABASE_URL=url,
        KINERJA_SECRET=SECRET,
        KINERJA_PUBLIC_LIMIT_ADDRESS="1000000/60",
        KINERJA_PUBLIC_LIMIT_FORM=f"{per_form}/60",
        PREFECT_LOGGING_LEVEL="WARNING",
    )
    env.pop("PREFECT_API_URL", None)
    out = open(log, "w")  # noqa: SIM115 - kept open for the process's life
    proc = subprocess.Popen(
        [sys.executable, "-m", "kinerja.cli.main", "portal", "--host", HOST, "--port", str(port)],
        env=env,
        stdout=out,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://{HOST}:{port}/healthz", timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            time.sleep(0.2)
    proc.terminate()
    raise RuntimeError(f"the portal did not start; see {log}")


async def open_form_page(client: httpx.AsyncClient, code: str) -> str:
    page = await client.get(f"/s/{code}")
    page.raise_for_status()
    match = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert match, page.text[:500]
    return match[1]


async def submit(client: httpx.AsyncClient, code: str, csrf: str) -> tuple[int, float]:
    started = time.perf_counter()
    response = await client.post(f"/s/{code}", data={"csrf_token": csrf, **ANSWER})
    return response.status_code, time.perf_counter() - started


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20, method="inclusive")[18] if len(values) > 1 else 0.0


async def run(base: str, code: str, baseline: int, concurrent: int) -> dict[str, float]:
    limits = httpx.Limits(max_connections=concurrent + 10)
    browsers = [
        httpx.AsyncClient(base_url=base, timeout=120, limits=limits)
        for _ in range(baseline + concurrent)
    ]
    try:
        # 1. Baseline: one citizen at a time.
        seq_lat = []
        started = time.perf_counter()
        for browser in browsers[:baseline]:
            csrf = await open_form_page(browser, code)
            status, seconds = await submit(browser, code, csrf)
            assert status == 200, status
            seq_lat.append(seconds)
        seq_rate = baseline / (time.perf_counter() - started)
        # 2. Load: every form opened first, then all answers sent at once.
        crowd = browsers[baseline:]
        tokens = await asyncio.gather(*(open_form_page(b, code) for b in crowd))
        started = time.perf_counter()
        results = await asyncio.gather(
            *(submit(b, code, t) for b, t in zip(crowd, tokens, strict=True))
        )
        wall = time.perf_counter() - started
        statuses = [s for s, _ in results]
        assert statuses.count(200) == concurrent, sorted(set(statuses))
        load_lat = [s for _, s in results]
        # 3. The same citizens again, at once: each refused, nothing stored.
        again = await asyncio.gather(
            *(submit(b, code, t) for b, t in zip(crowd, tokens, strict=True))
        )
        assert all(s == 409 for s, _ in again), sorted({s for s, _ in again})
    finally:
        await asyncio.gather(*(b.aclose() for b in browsers))
    return {
        "seq_rate": seq_rate,
        "seq_p95": p95(seq_lat),
        "load_rate": concurrent / wall,
        "load_p95": p95(load_lat),
    }


def stored(url: str) -> tuple[int, int]:
    from sqlalchemy import func, select

    from kinerja.models.store.db import get_engine, session_scope
    from kinerja.models.store.tables import SurveyResponse

    with session_scope(get_engine(url)) as session:
        rows = session.scalar(select(func.count()).select_from(SurveyResponse))
        distinct = session.scalar(select(func.count(func.distinct(SurveyResponse.respondent_id))))
    return rows or 0, distinct or 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--concurrent", type=int, default=200)
    parser.add_argument("--baseline", type=int, default=20)
    parser.add_argument(
        "--url", help="A PostgreSQL database to use a schema of (default: a temporary SQLite file)"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        os.environ.setdefault("KINERJA_AUDIT_KEY", "bench-audit-key-not-secret-0123456789abcdef")
        os.environ["KINERJA_HOME"] = tmp
        url = args.url or f"sqlite:///{Path(tmp) / 'bench.db'}"
        schema = f"bench_survey_{os.getpid()}"
        if args.url:
            # A schema of its own, dropped afterwards: nothing else in the database is touched.
            from sqlalchemy import create_engine, text

            with create_engine(args.url).begin() as conn:
                conn.execute(text(f'CREATE SCHEMA "{schema}"'))
            sep = "&" if "?" in args.url else "?"
            url = f"{args.url}{sep}options=-csearch_path%3D{schema}"
        code = prepare(url)
        port = free_port()
        total = args.baseline + args.concurrent
        proc = start_portal(url, port, per_form=4 * total, log=Path(tmp) / "portal.log")
        try:
            r = asyncio.run(run(f"http://{HOST}:{port}", code, args.baseline, args.concurrent))
        finally:
            proc.terminate()
            proc.wait(timeout=30)
        rows, distinct = stored(url)
        if args.url:
            from sqlalchemy import create_engine, text

            from kinerja.models.store.db import dispose_engines

            dispose_engines()
            with create_engine(args.url).begin() as conn:
                conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    backend = url.split(":", 1)[0]
    print(
        f"{backend}: 1 concurrent: {r['seq_rate']:.1f} submissions/s, p95 "
        f"{r['seq_p95'] * 1000:.0f} ms; {args.concurrent} concurrent: {r['load_rate']:.1f} "
        f"submissions/s, p95 {r['load_p95'] * 1000:.0f} ms"
    )
    print(
        f"ratio {args.concurrent} concurrent / 1: throughput x{r['load_rate'] / r['seq_rate']:.2f},"
        f" p95 latency x{r['load_p95'] / r['seq_p95']:.1f}"
    )
    print(
        f"stored: {rows} rows, {distinct} respondents, expected {total}; "
        f"{args.concurrent} repeated answers refused (409)"
    )
    if rows != total or distinct != total:
        raise SystemExit("FAIL: answers not stored exactly once")


if __name__ == "__main__":
    main()
