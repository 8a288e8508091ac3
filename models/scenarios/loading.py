"""Loading a scenario directory: its organisation, its cycle (with its own clock) and every
cycle file it holds, in one transaction.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from sqlalchemy.orm import Session

from kinerja.models.cycles.cycle import create_cycle, cycle_id_for, pack_of
from kinerja.models.cycles.files import (
    CYCLE_FILES,
    import_cycle_file,
    import_survey_file,
    nip_format,
)
from kinerja.models.imports.errors import ImportReport
from kinerja.models.imports.org import import_org
from kinerja.models.schemas.config import CycleConfig
from kinerja.models.store.tables import Cycle


def load_scenario(
    session: Session, *, directory: Path, config: CycleConfig, now: datetime
) -> tuple[Cycle, list[ImportReport]]:
    """Import a scenario directory and create its (simulated) cycle, in one transaction.

    Idempotent: loading the same directory again changes nothing and returns the same cycle.
    """
    existing = session.get(Cycle, cycle_id_for(config))
    if existing is not None:
        return create_cycle(
            session, config=config, config_dir=directory, now=now, simulated=True
        ), []
    # The cycle first, so that the organisation's NIPs are checked against its pack.
    cycle = create_cycle(session, config=config, config_dir=directory, now=now, simulated=True)
    nips = nip_format(pack_of(cycle))
    reports = list(import_org(session, source=directory, nip_format=nips))
    for kind in CYCLE_FILES:
        path = directory / f"{kind}.csv"
        if path.exists():
            reports.append(import_cycle_file(session, cycle=cycle, kind=kind, path=path))
    survey = directory / "survey.csv"
    if survey.exists() and pack_of(cycle).ikm is not None:
        reports.append(import_survey_file(session, pack=pack_of(cycle), path=survey))
    return cycle, reports
