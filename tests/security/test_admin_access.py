"""Django admin, walked for every registered model: AASC staff see what their role's
permissions allow and nothing else; holders and reviewers never get in."""

import pytest
from django.contrib import admin
from django.contrib.admin.options import ModelAdmin
from django.urls import reverse

pytestmark = pytest.mark.django_db

REGISTRY = sorted(admin.site._registry.items(), key=lambda item: item[0]._meta.label)


def _changelist(model):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")


@pytest.mark.parametrize("model", [m for m, _ in REGISTRY], ids=lambda m: m._meta.label)
def test_staff_see_a_changelist_only_with_the_view_or_change_permission(model, staff, staff_client):
    opts = model._meta
    allowed = staff.has_perm(f"{opts.app_label}.view_{opts.model_name}") or staff.has_perm(
        f"{opts.app_label}.change_{opts.model_name}"
    )
    response = staff_client.get(_changelist(model))
    assert response.status_code == (200 if allowed else 403)


@pytest.mark.parametrize("model", [m for m, _ in REGISTRY], ids=lambda m: m._meta.label)
def test_holders_and_reviewers_never_reach_the_admin(model, holder_client, reviewer_client):
    for client in (holder_client, reviewer_client):
        response = client.get(_changelist(model))
        assert response.status_code == 302
        assert "/login" in response["Location"]


def test_staff_cannot_approve_submissions_in_the_admin(staff):
    from cec.models import Submission

    model_admin = admin.site._registry[Submission]
    request = type("Request", (), {"user": staff, "GET": {}, "POST": {}})()
    assert not model_admin.has_change_permission(request)
    assert not model_admin.has_add_permission(request)
    assert not staff.has_perm("cec.review_submission")


def _custom_actions(model_admin: ModelAdmin):
    for action in model_admin.actions or []:
        func = action if callable(action) else getattr(model_admin, action)
        yield func


OUR_APPS = ("credentials", "cec", "payments")


@pytest.mark.parametrize(
    "model",
    [m for m, _ in REGISTRY if m._meta.app_label in OUR_APPS],
    ids=lambda m: m._meta.label,
)
def test_every_admin_action_names_the_permissions_it_needs(model):
    """Django then hides the action from, and refuses it to, anyone without them."""
    model_admin = admin.site._registry[model]
    for func in _custom_actions(model_admin):
        assert getattr(func, "allowed_permissions", None), f"{model_admin}: {func.__name__}"
