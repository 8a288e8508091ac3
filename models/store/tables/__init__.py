"""The cycle's truth: typed SQLAlchemy 2 tables, one module per concern.

The organisation (units, employees) is loaded once and shared by cycles; everything a cycle
produces is keyed by ``cycle_id`` and by natural keys, so every stage writes with upserts
and running it twice changes nothing. Importing this package registers every table on
``Base.metadata`` (what migrations compare against); code imports the tables from here.
"""

from kinerja.models.store.tables.base import Base
from kinerja.models.store.tables.citizens import (
    Complaint,
    Holiday,
    Publication,
    SurveyForm,
    SurveyResponse,
    UnitIndex,
)
from kinerja.models.store.tables.cycle import (
    Cycle,
    CycleStage,
    Goal,
    Measurement,
    MeasurementRevision,
    ScriptedReview,
    Target,
    UnitRating,
)
from kinerja.models.store.tables.evidence import EvidenceFile
from kinerja.models.store.tables.inputs import (
    AttendanceLapse,
    AttendanceMonth,
    CompetencyLevel,
    DisciplineSanction,
    FunctionalPosition,
)
from kinerja.models.store.tables.org import Employee, Unit
from kinerja.models.store.tables.periods import PeriodResult, ScriptedCheckin
from kinerja.models.store.tables.results import (
    DistributionFinding,
    Feedback,
    JpLedgerEntry,
    Result,
    TrainingAssignment,
)
from kinerja.models.store.tables.trace import AuditEvent, AuditHead, Notification
from kinerja.models.store.tables.work import Absence, HumanTask, TaskDelegation, TaskExtension

__all__ = [
    "Absence",
    "AttendanceLapse",
    "AttendanceMonth",
    "AuditEvent",
    "AuditHead",
    "Base",
    "CompetencyLevel",
    "Complaint",
    "Cycle",
    "CycleStage",
    "DisciplineSanction",
    "DistributionFinding",
    "Employee",
    "EvidenceFile",
    "Feedback",
    "FunctionalPosition",
    "Goal",
    "Holiday",
    "HumanTask",
    "JpLedgerEntry",
    "Measurement",
    "MeasurementRevision",
    "Notification",
    "PeriodResult",
    "Publication",
    "Result",
    "ScriptedCheckin",
    "ScriptedReview",
    "SurveyForm",
    "SurveyResponse",
    "Target",
    "TrainingAssignment",
    "TaskDelegation",
    "TaskExtension",
    "Unit",
    "UnitIndex",
    "UnitRating",
]
