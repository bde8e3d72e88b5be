"""Sign-in throttling for allauth: failed sign-ins are counted per client and per account.
The portal's adapter (settings.ACCOUNT_ADAPTER, credentials/account_email.py) is built on
this one.

allauth counts failures per client address and per account, so one client hammering an
account locks its holder out everywhere. Here the account's count is kept twice: per
account *from this client* (ACCOUNT_RATE_LIMITS["login_failed"], with the per-client
limit), and per account from every client together (["login_failed_account"]), whose
limit is above what one client can reach under its own limits. So a flood from one
client never blocks another client's correct password, and an account is tried at most
its limit however many clients (or web workers) take part. The counts live in the
shared cache (settings.CACHES); the client address comes from nginx's X-Forwarded-For
(ALLAUTH_TRUSTED_PROXY_COUNT). A successful sign-in gives back what it consumed, as in
allauth.
"""

from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core.internal import ratelimit

APP = "allauth.account"
PER_CLIENT = "login_failed"
PER_ACCOUNT = "login_failed_account"


class ThrottledSignInAdapter(DefaultAccountAdapter):
    def _account_key(self, request, credentials) -> str:
        return self._get_login_attempts_cache_key(request, **credentials)

    def _client_key(self, request, credentials) -> str:
        return f"{self._account_key(request, credentials)}|{ratelimit.get_ip(request)}"

    def pre_authenticate(self, request, **credentials):
        """Refuse the attempt when this client, this client on this account, or all
        clients on this account have failed too often; otherwise count it (given back
        by `authenticate` when the password is right)."""
        per_client = ratelimit.consume(
            request, app=APP, action=PER_CLIENT, key=self._client_key(request, credentials)
        )
        per_account = per_client and ratelimit.consume(
            request, app=APP, action=PER_ACCOUNT, key=self._account_key(request, credentials)
        )
        if not per_account:
            self._login_failed_rl_usage = None
            raise self.validation_error("too_many_login_attempts")
        # allauth's authenticate() rolls this usage back after a successful sign-in.
        self._login_failed_rl_usage = ratelimit.RateLimitUsage(
            usage=[*per_client.usage, *per_account.usage]
        )

    def _delete_login_attempts_cached_email(self, request, **credentials):
        # After a successful password reset (itself rate-limited): a clean slate.
        ratelimit.clear(
            request, app=APP, action=PER_CLIENT, key=self._client_key(request, credentials)
        )
        ratelimit.clear(
            request, app=APP, action=PER_ACCOUNT, key=self._account_key(request, credentials)
        )
