"""Background runs: work too long for a web request (issuing a year's renewals, building
a year's audit packets), split into units (chunks of holders, one renewal's packet) that
Celery tasks process one by one, with progress and retries staff can watch in admin.

- models.py: the abstract run (status, who started it and why, when, error) and unit
  (attempts, error, done) a kind's concrete models subclass;
- services.py: `RunKind`, what a kind fills in (plan its units, process one, finish),
  and the engine every kind shares: plan, begin, claim and process a unit with a
  maximum of attempts, finish once, resume, progress;
- tasks.py: the two Celery tasks of a kind (start a run, process a unit), made for it;
- admin.py: the progress bar and its JSON, and `RunAdmin`, the admin mixin (read-only
  progress, the JSON endpoint static/js/admin-progress.js polls, the resume action).

This package imports no app: the concrete models and the work live in the apps.
"""
