"""A real portal on loopback for browser tests of the public pages: uvicorn in a thread of
the test process, over a SQLite file, with a manual clock the test moves; and a phone-sized
headless Chromium (Debian's) to drive it."""

from __future__ import annotations

import shutil
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import uvicorn
from fastapi import FastAPI

from kinerja.tests.e2e.test_server import free_port

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
PHONE = {"width": 390, "height": 844}


@dataclass
class Live:
    base: str
    app: FastAPI


@contextmanager
def live_portal(app: FastAPI) -> Iterator[Live]:
    """Serve ``app`` on 127.0.0.1 until the block ends."""
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the portal did not start")
        time.sleep(0.05)
    try:
        yield Live(f"http://127.0.0.1:{port}", app)
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@contextmanager
def phone() -> Iterator[Any]:
    """A phone-sized browser context (touch, mobile viewport) of Debian's Chromium."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=shutil.which("chromium"), args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(
                viewport=PHONE, is_mobile=True, has_touch=True, locale="id-ID"
            )
            yield context
        finally:
            browser.close()
