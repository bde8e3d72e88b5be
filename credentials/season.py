"""The core's reads for the season (issue 18): the dashboard (renewal_portal.composition.
season) counts them and the admin's season filters list them, from one query each."""

from credentials import roles
from credentials.models import User
from credentials.services.renewals import holders_due


def holders_not_issued(year: int):
    """Holders with a credential the `year` renewal includes, and no renewal for it yet."""
    due = User.objects.filter(pk__in=holders_due(year)).exclude(renewals__year=year)
    return roles.holder_accounts(due)
