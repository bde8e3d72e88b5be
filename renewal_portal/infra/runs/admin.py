"""How background runs (issue runs, packet builds) show their progress in admin: a bar,
a count and a sentence that says what happened, refreshed without reloading the page.

The element carries the address of the run's JSON progress (`data-progress-url`);
static/js/admin-progress.js polls it while the run is unfinished (a script file, not
inline script, so the Content Security Policy holds) and reloads the page once when the
run finishes, so the chunk list and any download link appear.
"""

from django.http import JsonResponse
from django.utils.html import format_html


def progress_bar(*, percent, done, total, noun, failing=0, summary="", url="", finished=True):
    """A background run's progress: bar, count, failures if any, and what happened."""
    failures = (
        format_html(' <strong style="color:#b02a37">{} failing</strong>', failing)
        if failing
        else ""
    )
    return format_html(
        '<span class="run-progress" data-progress-url="{}" data-finished="{}">'
        '<progress max="100" value="{}"></progress> '
        "<span data-progress-count>{} of {} {}</span>"
        "<span data-progress-failing>{}</span>"
        '<span class="help" style="display:block" data-progress-summary role="status">{}</span>'
        "</span>",
        url if not finished else "",
        "true" if finished else "false",
        percent,
        done,
        total,
        noun,
        failures,
        summary,
    )


def progress_json(progress: dict, *, done_key, total_key, noun) -> JsonResponse:
    """The JSON the script polls: what the bar, the count and the sentence show."""
    return JsonResponse(
        {
            "percent": progress["percent"],
            "count": f"{progress[done_key]} of {progress[total_key]} {noun}",
            "failing": progress["failing"],
            "summary": progress.get("summary", ""),
            "finished": progress["finished"],
            "status": progress.get("status", ""),
        },
        headers={"Cache-Control": "no-store"},
    )
