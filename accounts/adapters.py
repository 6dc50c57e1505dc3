from allauth.account.adapter import DefaultAccountAdapter
from django.urls import reverse

from accounts.appareils import appareil_trust, login_failures_key


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request):
        # Accounts are created by invitation only (SPEC §2).
        return False

    def get_login_redirect_url(self, request):
        return reverse("accounts:home")

    def _get_login_attempts_cache_key(self, request, **credentials):
        # allauth counts failed logins under this key (and clears it after a password reset): per account
        # and trusted device, so that guessing from elsewhere never locks the owner out
        # (accounts/appareils.py). A private hook of allauth: tests/accounts/test_limites_connexion.py fails
        # if an upgrade stops calling it.
        return login_failures_key(request, credentials.get("email", ""))

    def post_login(self, request, user, **kwargs):
        response = super().post_login(request, user, **kwargs)
        appareil_trust(request, response, user)
        return response
