from .checkin import CheckIn, CheckInCode, CheckInKey, CheckInMethod, Event
from .classes import Attendance, Category, ClassSession, Course
from .forms import ActivityType, Evidence, FormState, ReportingForm
from .ledger import EntryState, LedgerEntry, Source
from .submissions import Submission, SubmissionState

__all__ = [
    "ActivityType",
    "Attendance",
    "Category",
    "CheckIn",
    "CheckInCode",
    "CheckInKey",
    "CheckInMethod",
    "ClassSession",
    "Course",
    "EntryState",
    "Event",
    "Evidence",
    "FormState",
    "LedgerEntry",
    "ReportingForm",
    "Source",
    "Submission",
    "SubmissionState",
]
