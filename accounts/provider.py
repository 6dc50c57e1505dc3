"""ProConnect as an allauth provider: allauth keeps the state of the request in the session and the link
of an identity to an account (SocialAccount, provider "proconnect", uid = ProConnect's `sub`, extra_data =
the last userinfo claims). The OpenID Connect exchanges are in accounts/proconnect.py. allauth loads this
module by its name, `<app>.provider`."""

from allauth.socialaccount.providers.base import Provider, ProviderAccount
from django.http import HttpResponseRedirect
from django.urls import reverse

from accounts import proconnect


class ProConnectAccount(ProviderAccount):
    def to_str(self):
        return self.account.extra_data.get("email") or super().to_str()


class ProConnectProvider(Provider):
    id = "proconnect"
    name = "ProConnect"
    account_class = ProConnectAccount

    def get_login_url(self, request, **kwargs):
        return reverse("accounts:proconnect_login")

    def callback_url(self, request) -> str:
        return request.build_absolute_uri(reverse("accounts:proconnect_callback"))

    def redirect(self, request, process, next_url=None, data=None, **kwargs):
        """To ProConnect's authorization page, with a new state, nonce and PKCE verifier kept in the
        session (the request's own scopes or parameters are ignored: SPEC §14 fixes them)."""
        verifier, challenge = proconnect.pkce_pair()
        nonce = proconnect.new_secret()
        state = self.stash_redirect_state(
            request, process, next_url, data, pkce_code_verifier=verifier, nonce=nonce
        )
        url = proconnect.authorization_url(
            redirect_uri=self.callback_url(request), state=state, nonce=nonce, code_challenge=challenge
        )
        return HttpResponseRedirect(url)

    def extract_uid(self, data):
        return str(data["sub"])

    def extract_common_fields(self, data):
        return {
            "email": data.get("email"),
            "first_name": data.get("given_name"),
            "last_name": data.get("usual_name"),
        }

    def extract_email_addresses(self, data):
        # No login address is added from an identity provider (SPEC §18): the link is made by the account's
        # own e-mail only (accounts.adapters.SocialAccountAdapter).
        return []


provider_classes = [ProConnectProvider]
