"""Document downloads before and after issue 15 item 8, measured in the same run.

    .venv/bin/python -m bench.documents [--form-kb 800] [--runs 8] [--baseline-runs 1]

On a throwaway in-memory database (the test suite's small world: one holder with an
invoice, a payment, an AASC class and a verified Reporting Form), it times

1. the signed Reporting Form whose description is `--form-kb` kB (a form filed before
   descriptions were capped): the old render (every character into WeasyPrint, on every
   download) against the new first download (text cut to DOCUMENT_TEXT_MAX_CHARS, rendered
   once into the storage) and the new repeated download (read from the storage);
2. repeated audit packet ZIP downloads: the old path (gather the packet, render its PDF,
   write the ZIP, on every download) against the new one (gather the packet, render its
   HTML to know the version, stream the stored ZIP).

It prints medians in milliseconds and the ratio old / new. Timings are for reading, never
for pass/fail. The old paths are rebuilt here from the same modules, so both sides use the
same templates, data and machine.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "renewal_portal.settings")


def _median_ms(action, runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def _row(label: str, old_ms: float, new_ms: float) -> None:
    ratio = old_ms / new_ms if new_ms else float("inf")
    print(f"  {label:<42} old {old_ms:10.1f} ms   new {new_ms:9.1f} ms   ratio {ratio:8.1f}x")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.documents")
    parser.add_argument("--form-kb", type=int, default=800, help="description size (kB)")
    parser.add_argument("--runs", type=int, default=8, help="repeated downloads timed")
    parser.add_argument(
        "--baseline-runs", type=int, default=1, help="runs of the old long-form render (slow)"
    )
    args = parser.parse_args(argv)

    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test.utils import setup_test_environment

    media = tempfile.mkdtemp(prefix="bench-documents-")
    settings.MEDIA_ROOT = media
    settings.DOCUMENT_DOWNLOADS_PER_WINDOW = 10_000
    setup_test_environment()
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)

    from cec import form_pdf
    from credentials import packet_pdf
    from credentials.services.packets import audit_packet_of
    from renewal_portal.infra.pdf import render_pdf
    from tests.factories import verified_form
    from tests.security.world import build_world

    world = build_world()

    # --- 1. The signed form with a long description -------------------------------------
    text = ("Committee minutes, word for word. " * (args.form_kb * 32))[: args.form_kb * 1024]
    # A form filed before descriptions were capped (the factory writes the row as it was).
    form = verified_form(world.staff, holder=world.holder_a, description=text)

    def old_form_render():
        context = form_pdf.signed_form_context(form)
        # Before: every character of the description and the notes went into the render.
        context.update(
            description=form.description,
            signature_note=form.signature_note,
            title=form.title,
            organiser=form.organiser,
        )
        return render_pdf("pdf/signed_form.html", context)

    print(f"Signed Reporting Form, description of {args.form_kb} kB:", flush=True)
    old = _median_ms(old_form_render, args.baseline_runs)
    first = _median_ms(lambda: form_pdf.signed_form_document(form), 1)
    again = _median_ms(lambda: form_pdf.signed_form_document(form).read(), args.runs)
    _row("first download (cut text, render, store)", old, first)
    _row(f"repeated download (median of {args.runs})", old, again)

    # --- 2. Repeated audit packet ZIP downloads ------------------------------------------
    renewal = world.renewal

    def old_packet_zip():
        packet = audit_packet_of(renewal)
        with tempfile.TemporaryFile() as spool:
            packet_pdf.write_packet_zip(packet, spool)

    def new_packet_zip():
        document = packet_pdf.packet_zip_document(audit_packet_of(renewal))
        with document.open() as handle:
            while handle.read(1024 * 1024):
                pass

    print(f"Audit packet ZIP, {args.runs} downloads in a row:", flush=True)
    old = _median_ms(old_packet_zip, args.runs)
    new_packet_zip()  # the first download renders and stores it
    new = _median_ms(new_packet_zip, args.runs)
    _row(f"repeated download (median of {args.runs})", old, new)
    return 0


if __name__ == "__main__":
    sys.exit(main())
