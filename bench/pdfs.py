"""PDF render times: the certificate and the invoice as the portal renders them (context,
template, QR code, the local static fetcher, WeasyPrint) beside a bare WeasyPrint render
of the same HTML (rendered once, its stylesheet linked by file URL, WeasyPrint's own
fetcher). Median of `runs` each, the two interleaved so that noise hits both alike."""

from __future__ import annotations

import statistics
import time

from django.conf import settings
from django.template.loader import render_to_string
from weasyprint import HTML

from cec import pdf as cec_pdf
from cec.models import LedgerEntry
from payments import pdf as payments_pdf
from payments.models import Invoice


def _bare(html: str) -> bytes:
    static = f"file://{settings.BASE_DIR / 'static'}/"
    return HTML(string=html.replace('"/static/', f'"{static}')).write_pdf()


def _compare(name, portal, html, runs) -> dict:
    portal(), _bare(html)  # fonts and caches
    portal_times, bare_times, portal_cpu = [], [], []
    for _ in range(runs):
        started, cpu_started = time.perf_counter(), time.process_time()
        portal_pdf = portal()
        portal_times.append((time.perf_counter() - started) * 1000)
        portal_cpu.append((time.process_time() - cpu_started) * 1000)
        started = time.perf_counter()
        bare_pdf = _bare(html)
        bare_times.append((time.perf_counter() - started) * 1000)
    assert portal_pdf.startswith(b"%PDF") and bare_pdf.startswith(b"%PDF")
    result = {
        "runs": runs,
        "portal_ms": round(statistics.median(portal_times), 1),
        "portal_cpu_ms": round(statistics.median(portal_cpu), 1),
        "bare_ms": round(statistics.median(bare_times), 1),
        "portal_bytes": len(portal_pdf),
        "bare_bytes": len(bare_pdf),
    }
    result["ratio"] = round(result["portal_ms"] / result["bare_ms"], 2)
    print(
        f"  {name:<12} portal {result['portal_ms']:6.1f} ms  bare WeasyPrint "
        f"{result['bare_ms']:6.1f} ms  ratio {result['ratio']:.2f}",
        flush=True,
    )
    return result


def pdf_bench(runs: int = 50) -> dict:
    entry = (
        LedgerEntry.objects.exclude(certificate_number__isnull=True)
        .select_related("holder", "attendance__session__course")
        .order_by("pk")
        .first()
    )
    invoice = Invoice.objects.select_related(
        "renewal__holder__profile", "renewal__governing_type"
    ).order_by("pk")[1]
    certificate_html = render_to_string("pdf/certificate.html", cec_pdf.certificate_context(entry))
    invoice_html = render_to_string("pdf/invoice.html", payments_pdf.invoice_context(invoice))
    return {
        "certificate": _compare(
            "certificate", lambda: cec_pdf.certificate_pdf(entry), certificate_html, runs
        ),
        "invoice": _compare(
            "invoice", lambda: payments_pdf.invoice_pdf(invoice), invoice_html, runs
        ),
    }
