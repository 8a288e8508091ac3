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
    # 7 doubling waits (3810 s), then hourly: the 31st attempt comes after 24 h 3 min.
    assert retry.attempts_before_dead() == 31
    assert retry.retry_window_seconds() == 3810 + 23 * 3600
    assert DAY <= retry.retry_window_seconds() < DAY + 3600


def test_both_floors_hold():
    by_attempts = NotificationConfig(max_attempts=40)
    assert by_attempts.attempts_before_dead() == 40
    assert by_attempts.retry_window_seconds() == 3810 + 32 * 3600
    short = NotificationConfig(max_attempts=4, backoff_seconds=10, backoff_max_seconds=25)
    assert [short.retry_delay(n) for n in (1, 2, 3)] == [10, 20, 25]
    assert short.attempts_before_dead() == 3458  # 30 s, then 24 h of 25 s waits
    assert short.retry_window_seconds() == 10 + 20 + 3455 * 25
    attempts_only = short.model_copy(update={"retry_hours": 0})
    assert attempts_only.attempts_before_dead() == 4
    assert attempts_only.retry_window_seconds() == 55
    once = NotificationConfig(max_attempts=1, retry_hours=0)
    assert (once.attempts_before_dead(), once.retry_window_seconds()) == (1, 0)
    longest = NotificationConfig(retry_hours=720, backoff_seconds=1, backoff_max_seconds=1)
    assert longest.attempts_before_dead() == 720 * 3600 + 1


def test_an_unset_schedule_leaves_the_config_dump_as_it_was():
    # A cycle's id and config hash come from this dump; a config that does not set the
    # newer fields keeps the id it had before they existed.
    assert NotificationConfig().model_dump(mode="json") == {
        "routes": None,
        "max_attempts": 5,
        "backoff_seconds": 30.0,
        "batch_size": 500,
    }
    own = NotificationConfig(retry_hours=48, backoff_max_seconds=600)
    assert own.model_dump(mode="json") == {
        "routes": None,
        "max_attempts": 5,
        "backoff_seconds": 30.0,
        "backoff_max_seconds": 600.0,
        "retry_hours": 48.0,
        "batch_size": 500,
    }
    assert NotificationConfig.model_validate(own.model_dump(mode="json")) == own


@pytest.mark.parametrize(
    "section, field, message",
    [
        ("backoff_seconds: 0", "notifications.backoff_seconds", "greater than or equal to 1"),
        ("backoff_seconds: -5", "notifications.backoff_seconds", "greater than or equal to 1"),
        ("retry_hours: -1", "notifications.retry_hours", "greater than or equal to 0"),
        ("retry_hours: 100000", "notifications.retry_hours", "less than or equal to 720"),
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
