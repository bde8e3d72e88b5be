"""The demo data tells the renewal story: a CAM + CALP holder owing 8 CECs, and a holder
whose CALP lapsed, with the reason in its history."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.management import call_command

from credentials.models import Credential, Renewal
from payments.models import Invoice, LineKind

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(settings):
    settings.DEBUG = True
    call_command("load_demo")


def test_the_demo_holder_has_a_2027_renewal_for_cam_and_calp_owing_8_cecs(demo):
    renewal = Renewal.objects.get(holder__email="holder@example.org", year=2027)
    codes = sorted(item.credential.credential_type.code for item in renewal.items.all())
    assert codes == ["CALP", "CAM"]
    assert renewal.cecs_owed == Decimal("8")
    assert renewal.invoice.total_cents == 22500


def test_the_lapsed_demo_holders_calp_lapsed_after_31_march_2025_and_says_why(demo):
    calp = Credential.objects.get(holder__email="lapsed@example.org")
    assert calp.valid_through == dt.date(2024, 12, 31)
    assert calp.lapsed_on == dt.date(2025, 4, 1)
    assert "grace period ended March 31, 2025" in calp.lapse_reason
    reasons = [h.history_change_reason for h in calp.history.all()]
    assert "Lapsed: grace ended without a completed renewal" in reasons


def test_the_lapsed_demo_holders_renewal_adds_the_reinstatement_fee(demo):
    renewal = Renewal.objects.get(holder__email="lapsed@example.org", year=2027)
    kinds = [line.kind for line in renewal.invoice.lines.all()]
    assert kinds == [LineKind.RENEWAL_FEE, LineKind.REINSTATEMENT_FEE]


def test_loading_the_demo_twice_issues_nothing_twice(demo):
    before = (Renewal.objects.count(), Credential.objects.count(), Invoice.objects.count())
    call_command("load_demo")
    after = (Renewal.objects.count(), Credential.objects.count(), Invoice.objects.count())
    assert after == before
