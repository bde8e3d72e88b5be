from django.utils.html import format_html


def progress_bar(*, percent, done, total, noun, failing=0):
    """A background run's progress in an admin list: bar, count, and failures if any."""
    failures = (
        format_html(' <strong style="color:#b02a37">{} failing</strong>', failing)
        if failing
        else ""
    )
    return format_html(
        '<progress max="100" value="{}"></progress> {} of {} {}{}',
        percent,
        done,
        total,
        noun,
        failures,
    )
