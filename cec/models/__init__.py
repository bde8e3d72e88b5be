from .classes import Attendance, Category, ClassSession, Course
from .forms import ActivityType, Evidence, FormState, ReportingForm
from .ledger import EntryState, LedgerEntry, Source
from .submissions import Submission, SubmissionState

__all__ = [
    "ActivityType",
    "Attendance",
    "Category",
    "ClassSession",
    "Course",
    "EntryState",
    "Evidence",
    "FormState",
    "LedgerEntry",
    "ReportingForm",
    "Source",
    "Submission",
    "SubmissionState",
]
