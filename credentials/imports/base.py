"""What the three imports share: django-import-export resources that read a row into
checked values (every problem a plain sentence naming the cell), count each row as a
creation, an update or unchanged, and write in bulk only when the import is confirmed.

Each resource says which columns it knows (COLUMNS: name -> accepted header variants),
which it needs (REQUIRED), how a row becomes a record (`build`) and how the records are
written (`write`, a service that also links them to the ImportBatch). A dry run reads and
checks everything and writes nothing.
"""

from __future__ import annotations

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from import_export import resources

from renewal_portal.infra.spreadsheets import safe_cell

from .files import ROW_COLUMN, ImportFileError, map_columns


class RowProblems(Exception):
    """The row cannot be imported: {column name: [sentences]}."""

    def __init__(self, problems: dict[str, list[str]]):
        super().__init__(problems)
        self.problems = problems


class SpreadsheetResource(resources.ModelResource):
    COLUMNS: dict[str, tuple[str, ...]] = {}
    # Each entry is a set of columns of which the file needs at least one.
    REQUIRED: tuple[tuple[str, ...], ...] = ()
    # The fields an update may change (for bulk_update and the values kept for undo).
    UPDATE_FIELDS: tuple[str, ...] = ()

    class Meta:
        use_bulk = True
        batch_size = 1000
        skip_unchanged = True
        report_skipped = True
        clean_model_instances = False
        skip_diff = True

    def __init__(self, batch=None, by=None, **kwargs):
        super().__init__(**kwargs)
        self.batch = batch
        self.by = by
        self.columns: dict[str, str] = {}
        self.problems: list[dict] = []
        # Keys seen earlier in the file (across the chunks of one run): key -> row.
        self.seen: dict[tuple, int] = {}
        self.dry_run = True
        self.preloaded = False

    # -- The file ----------------------------------------------------------------------------

    def check_columns(self, headers) -> dict[str, str]:
        """The file's columns mapped to ours; ImportFileError when one it needs is missing."""
        columns = map_columns(headers, self.COLUMNS)
        for needed in self.REQUIRED:
            if not set(needed) & set(columns):
                names = " or ".join(f"'{self.label(name)}'" for name in needed)
                found = ", ".join(f"'{h}'" for h in headers if h != ROW_COLUMN) or "nothing"
                raise ImportFileError(
                    f"The file needs a column {names}; its first row has {found}."
                )
        return columns

    def label(self, name: str) -> str:
        return self.COLUMNS[name][0]

    def before_import(self, dataset, **kwargs):
        self.dry_run = kwargs.get("dry_run", True)
        if not self.preloaded:
            self.preload_file(dataset)

    def preload_file(self, dataset) -> None:
        """Read the columns and load what the whole file refers to, once: a run written
        in chunks needs nothing it did not load here (a key appears once in a file, and a
        second row with it is refused)."""
        self.columns = self.check_columns(dataset.headers or [])
        self.preload([self._row(values, dataset.headers) for values in dataset])
        self.preloaded = True

    def _row(self, values, headers) -> dict:
        return dict(zip(headers, values, strict=False))

    def cell(self, row, name):
        header = self.columns.get(name)
        return None if header is None else row.get(header)

    def column_of(self, name: str) -> str:
        """The column as the file names it (for errors)."""
        return self.columns.get(name) or self.label(name)

    def export_field(self, field, instance, **kwargs):
        # Names and titles people typed never run as formulas when the export is opened.
        return safe_cell(super().export_field(field, instance, **kwargs))

    # -- Hooks for each kind -------------------------------------------------------------------

    def preload(self, rows: list[dict]) -> None:
        """Load whatever the rows refer to, in a few queries for the whole chunk."""

    def build(self, row: dict, line: int):
        """(instance, is_new, previous values or None) for a row, or RowProblems."""
        raise NotImplementedError

    def write(self, creates: list, updates: list) -> None:
        """Save the new and changed records, linked to self.batch (confirm only)."""
        raise NotImplementedError

    # -- django-import-export's row steps ----------------------------------------------------

    def get_or_init_instance(self, instance_loader, row):
        line = row.get(ROW_COLUMN)
        try:
            instance, new, previous = self.build(row, line)
        except RowProblems as exc:
            errors = {}
            for name, sentences in exc.problems.items():
                column = "" if name == NON_FIELD_ERRORS else self.column_of(name)
                for sentence in sentences:
                    self.problems.append({"row": line, "column": column, "message": sentence})
                errors[column or NON_FIELD_ERRORS] = sentences
            raise ValidationError(errors) from None
        instance._import_previous = previous
        return instance, new

    def import_instance(self, instance, row, **kwargs):
        # `build` already applied the row's values.
        return None

    def skip_row(self, instance, original, row, import_validation_errors=None):
        if import_validation_errors:
            return False
        # An existing record whose values the row repeats is left alone (unchanged).
        return instance.pk is not None and instance._import_previous is None

    def bulk_create(self, using_transactions, dry_run, raise_errors, batch_size=None, result=None):
        self._flush(dry_run)

    def bulk_update(self, using_transactions, dry_run, raise_errors, batch_size=None, result=None):
        self._flush(dry_run)

    def _flush(self, dry_run):
        creates, updates = list(self.create_instances), list(self.update_instances)
        self.create_instances.clear()
        self.update_instances.clear()
        if dry_run or not (creates or updates):
            return
        self.write(creates, updates)

    def first_seen(self, key: tuple, line: int) -> int | None:
        """The earlier row of the file with the same key, or None (and remember this one)."""
        first = self.seen.setdefault(key, line)
        return None if first == line else first


def changed_values(instance, values: dict) -> dict | None:
    """Apply `values` to `instance`; the fields' previous values (as JSON) if any changed,
    else None."""
    previous = {}
    for name, value in values.items():
        old = getattr(instance, name)
        if old != value:
            previous[name] = as_json(old)
            setattr(instance, name, value)
    return previous or None


def as_json(value):
    if value is None or isinstance(value, (str, int, bool)):
        return value
    return str(value)
