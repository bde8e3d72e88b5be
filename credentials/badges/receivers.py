"""What the badges layer does when credentials' services change a credential."""

from django.db import transaction

from . import status_list


def standing_changed(sender, credential_ids, **kwargs):
    """A lapse or reinstatement: the suspension bit is the credential's lapse, read from
    the same rows the service just changed, so the status list is right as soon as the
    transaction commits; the signed copy cached for verifiers is dropped then."""
    status_list.ensure_indexes(credential_ids)
    transaction.on_commit(status_list.forget_cached)
