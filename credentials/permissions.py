"""Every permission the code checks, named once (issue 16 item 7).

Views, admin actions, services and selectors check these constants, never a typed
string; `credentials.roles` grants them to the office roles, and a test proves each
names a permission that exists. Templates check the same names through `perms`.
"""

# credentials
CHANGE_USER = "credentials.change_user"
CHANGE_CREDENTIAL = "credentials.change_credential"
ADD_RENEWAL = "credentials.add_renewal"
VIEW_RENEWAL = "credentials.view_renewal"
ADD_ISSUE_RUN = "credentials.add_issuerun"
VIEW_ISSUE_RUN_CHUNK = "credentials.view_issuerunchunk"
ADD_PACKET_BUILD = "credentials.add_packetbuild"
VIEW_OUTBOX_MESSAGE = "credentials.view_outboxmessage"
CHANGE_OUTBOX_MESSAGE = "credentials.change_outboxmessage"
DECIDE_CLAIM = "credentials.decide_claim"
ADD_HOLDER_MERGE = "credentials.add_holdermerge"
ADD_SEASON_EXPORT = "credentials.add_seasonexport"
VIEW_SEASON_DASHBOARD = "credentials.view_season_dashboard"
VIEW_IMPORT_BATCH = "credentials.view_importbatch"
IMPORT_RECORDS = "credentials.import_records"
INVITE_HOLDERS = "credentials.invite_holders"

# cec
ADD_ATTENDANCE = "cec.add_attendance"
VIEW_CHECKIN = "cec.view_checkin"
VERIFY_REPORTING_FORM = "cec.verify_reportingform"
VIEW_EVIDENCE = "cec.view_evidence"
VIEW_SUBMISSION = "cec.view_submission"
REVIEW_SUBMISSION = "cec.review_submission"
VIEW_LEDGER_ENTRY = "cec.view_ledgerentry"
VIEW_REPORTING_FORM = "cec.view_reportingform"

# payments
VIEW_INVOICE = "payments.view_invoice"
VIEW_INVOICE_LINE = "payments.view_invoiceline"
VIEW_PAYMENT = "payments.view_payment"
RECORD_OFFLINE_PAYMENT = "payments.record_offline_payment"
REFUND_PAYMENT = "payments.refund_payment"
VIEW_WEBHOOK_EVENT = "payments.view_webhookevent"

# django-celery-beat (the beat schedules in admin)
VIEW_CRONTAB_SCHEDULE = "django_celery_beat.view_crontabschedule"
VIEW_INTERVAL_SCHEDULE = "django_celery_beat.view_intervalschedule"


def all_permissions() -> dict[str, str]:
    """Each constant's name and the permission it names."""
    return {
        name: value
        for name, value in globals().items()
        if name.isupper() and isinstance(value, str) and "." in value
    }
