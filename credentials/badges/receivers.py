"""What the badges layer does when credentials' services change a credential."""

from django.db import transaction

from . import status_list


def standing_changed(sender, credential_ids, **kwargs):
    """A lapse or reinstatement. The suspension bit is the credential's recorded lapse,
    read from the rows the service just changed, so the status list is right from the
    service's commit; the signed copy cached for verifiers is dropped then. (A credential
    gets its index when its first badge is issued; one never issued needs no bit.)"""
    transaction.on_commit(status_list.forget_cached)
