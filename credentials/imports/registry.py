"""The kinds of import and the records they write, registered by the app that owns them
(issue 16: the core never imports the apps above it). The core registers holders and
credentials here; cec registers its CEC history (cec/apps.py) with the ledger entries it
writes and the checks that keep an undo from taking back entries in use since.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

# An undo guard: (rows by model name, ids of accounts the import created, since when)
# -> why the undo is refused, in one sentence, or "".
UndoGuard = Callable[[dict, list, object], str]
# The records of other apps that belong to accounts: account ids -> (model name, pk).
HolderRecords = Callable[[list], Iterable[tuple[str, int]]]


@dataclass(frozen=True)
class RecordModel:
    name: str  # ImportedRow.model
    model: type
    undo_order: int  # lower is undone first: records before the accounts they belong to


RESOURCES: dict[str, type] = {}
MODELS: dict[str, RecordModel] = {}
UNDO_GUARDS: list[UndoGuard] = []
HOLDER_RECORDS: list[HolderRecords] = []


def register_kind(kind: str, resource: type) -> None:
    RESOURCES[kind] = resource


def register_model(name: str, model: type, *, undo_order: int) -> None:
    MODELS[name] = RecordModel(name, model, undo_order)


def register_undo_guard(guard: UndoGuard) -> None:
    if guard not in UNDO_GUARDS:
        UNDO_GUARDS.append(guard)


def register_holder_records(records: HolderRecords) -> None:
    if records not in HOLDER_RECORDS:
        HOLDER_RECORDS.append(records)


def models_in_undo_order() -> list[RecordModel]:
    return sorted(MODELS.values(), key=lambda record: record.undo_order)
