"""What the office does to people's accounts beyond their contact details.

AASC staff never see or set a password: they send the holder allauth's password-reset
email, and the holder chooses one. Who may touch which account is credentials.roles.
"""

from allauth.account.forms import default_token_generator
from allauth.account.internal.flows.password_reset import request_password_reset
from allauth.account.models import EmailAddress
from django.core.exceptions import PermissionDenied, ValidationError

from credentials import roles


def send_password_reset(account, *, by, request) -> None:
    """Email `account` a link to choose a new password (the one allauth sends on "Forgot
    your password?"); staff may do it for holders, a superuser for anyone."""
    if not roles.may_change_account(by, account):
        raise PermissionDenied("Only a superuser can act on an office account.")
    if not account.is_active:
        raise ValidationError(f"{account.email} is not an active account.")
    request_password_reset(request, account.email, [account], default_token_generator)


def prove_email_address(user) -> None:
    """Following a link emailed to the account's address (a password reset, an
    invitation) proves the address: mark it verified, so the holder signs in straight
    away. Not when the account has another address the link may have gone to."""
    addresses = EmailAddress.objects.filter(user=user)
    if not user.email or addresses.exclude(email__iexact=user.email).exists():
        return
    address = addresses.filter(email__iexact=user.email).first()
    if address is None:
        EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    elif not address.verified:
        address.verified = True
        address.save(update_fields=["verified"])
