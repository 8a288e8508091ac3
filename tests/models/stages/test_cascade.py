"""The cascade report: orphan targets, people without targets, people blocked by a superior."""

from __future__ import annotations

from sqlalchemy.orm import Session

from kinerja.models.stages.plan import cascade_report
from kinerja.models.store.tables import Target
from kinerja.tests.models.orgfixture import CYCLE_ID, STRANGER, H, M, build_org


def test_cascade_report_names_who_is_blocked_by_an_unplanned_superior(engine):
    with Session(engine, expire_on_commit=False) as session:
        org = build_org(session)
        # A and B have targets (serving M's, which do not exist yet: orphans); H, M, X do not.
        report = cascade_report(session, cycle=org.cycle)
        assert report["without_targets"] == 3
        assert report["orphan_targets"] == report["targets"] == 4
        # M and X report to H, who has no targets either: they cannot cascade from H.
        assert report["blocked_examples"] == sorted([M, STRANGER])
        assert report["blocked_by_superior"] == 2

        session.add(
            Target(
                cycle_id=CYCLE_ID,
                target_id="H-T1",
                nip=H,
                serves="G-1",
                statement="s",
                indicator="i",
                aspect="kuantitas",
                target_value=1,
                unit_of_measure="dok",
                direction="higher",
                kind="utama",
            )
        )
        session.flush()
        after = cascade_report(session, cycle=org.cycle)
        assert after["blocked_examples"] == [] and after["without_targets"] == 2
