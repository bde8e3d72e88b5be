"""cec's part of merging two records of one person (credentials.services.merges): the
ledger entries, Reporting Forms and class attendance move with the holder; a merge is
refused when both records attended the same session (the CECs would count twice)."""

from cec.models import Attendance, LedgerEntry, ReportingForm
from credentials.services.merges import MergePart, move_rows, register_merge_part


def refusal(source, into) -> str:
    both_sessions = set(
        Attendance.objects.filter(holder=source).values_list("session_id", flat=True)
    ) & set(Attendance.objects.filter(holder=into).values_list("session_id", flat=True))
    if both_sessions:
        return (
            "Both records attended the same class session: remove the duplicate attendance "
            "first, so the CECs are not counted twice."
        )
    return ""


def move(source, into, *, by, why) -> dict[str, int]:
    return {
        "ledger entries": move_rows(LedgerEntry.objects.filter(holder=source), into, by, why),
        "Reporting Forms": move_rows(ReportingForm.objects.filter(holder=source), into, by, why),
        "attendances": Attendance.objects.filter(holder=source).update(holder=into),
    }


PART = MergePart(refusal=refusal, move=move)


def register() -> None:
    """cec's part of every holder merge (credentials.services.merges)."""
    register_merge_part(PART)
