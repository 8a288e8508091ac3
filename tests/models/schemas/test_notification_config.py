"""The notifications section of a cycle config: the retry schedule, its default, and what
validation refuses."""

from __future__ import annotations

from pathlib import Path

import pytest

from kinerja.models.schemas.config import ConfigError, NotificationConfig, load_cycle_config

DAY = 86400


def test_the_default_schedule_keeps_trying_for_more_than_a_day():
    retry = NotificationConfig()
    assert [retry.retry_delay(n) for n in range(1, 10)] == [
        30,
        60,
        120,
        240,
        480,
        960,
        1920,
        3600,
        3600,
    ]
    assert retry.retry_delay(10**6) == 3600  # the cap holds at any attempt count
    assert DAY <= retry.retry_window_seconds() <= 2 * DAY
    assert round(retry.retry_window_seconds() / 3600, 2) == 25.06


def test_a_schedule_of_its_own():
    retry = NotificationConfig(max_attempts=4, backoff_seconds=10, backoff_max_seconds=25)
    assert [retry.retry_delay(n) for n in (1, 2, 3)] == [10, 20, 25]
    assert retry.retry_window_seconds() == 55
    assert NotificationConfig(max_attempts=1).retry_window_seconds() == 0


@pytest.mark.parametrize(
    "section, field, message",
    [
        ("backoff_seconds: 0", "notifications.backoff_seconds", "greater than 0"),
        ("backoff_seconds: -5", "notifications.backoff_seconds", "greater than 0"),
        ("max_attempts: 0", "notifications.max_attempts", "greater than or equal to 1"),
        ("max_attempts: 100000", "notifications.max_attempts", "less than or equal to 1000"),
        (
            "backoff_seconds: 600\n  backoff_max_seconds: 60",
            "notifications",
            "backoff_max_seconds (60) is shorter than backoff_seconds (600)",
        ),
        ("backoff_max_seconds: 99999999", "notifications.backoff_max_seconds", "less than"),
        ("retries: 3", "notifications.retries", "Extra inputs are not permitted"),
    ],
)
def test_a_cycle_config_with_a_nonsense_schedule_is_refused(tmp_path, section, field, message):
    path = Path(tmp_path) / "cycle.yaml"
    path.write_text(
        "name: SKP 2026\npolicy: asn\nperiod_start: 2026-01-01\nperiod_end: 2026-12-31\n"
        f"notifications:\n  {section}\n",
        encoding="utf-8",
    )
    with pytest.raises(ConfigError) as caught:
        load_cycle_config(path)
    text = str(caught.value)
    assert str(path) in text
    assert f"  {field}: " in text and message in text
