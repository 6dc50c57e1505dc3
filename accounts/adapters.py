import contextlib

from allauth.account.adapter import DefaultAccountAdapter
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.models import SocialApp
from django.conf import settings
from django.db import transaction
from django.urls import reverse

from accounts import proconnect
from accounts.appareils import appareil_trust, login_failures_key
from accounts.selectors import account_for_identity
from accounts.services import proconnect_link_record

# The session key of the ID token of a ProConnect login: the hint of its logout (end_session_endpoint).
ID_TOKEN_SESSION_KEY = "proconnect_id_token"


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request):
        # Accounts are created by invitation only (SPEC §2).
        return False

    def get_login_redirect_url(self, request):
        return reverse("accounts:home")

    def get_logout_redirect_url(self, request):
        """After a ProConnect login, the logout goes on to ProConnect's (SPEC §14), which comes back home."""
        id_token = request.session.get(ID_TOKEN_SESSION_KEY)
        url = None
        if id_token and proconnect.proconnect_enabled():
            # Provider down: the session here is closed all the same, and the browser goes home.
            with contextlib.suppress(proconnect.ProConnectError):
                url = proconnect.end_session_url(
                    id_token=id_token, post_logout_redirect_uri=request.build_absolute_uri(reverse("home"))
                )
        return url or super().get_logout_redirect_url(request)

    def _get_login_attempts_cache_key(self, request, **credentials):
        # allauth counts failed logins under this key (and clears it after a password reset): per account
        # and trusted device, so that guessing from elsewhere never locks the owner out
        # (accounts/appareils.py). A private hook of allauth: tests/accounts/test_limites_connexion.py fails
        # if an upgrade stops calling it.
        return login_failures_key(request, credentials.get("email", ""))

    def post_login(self, request, user, **kwargs):
        response = super().post_login(request, user, **kwargs)
        sociallogin = (kwargs.get("signal_kwargs") or {}).get("sociallogin")
        if sociallogin is not None and sociallogin.state.get("id_token"):
            request.session[ID_TOKEN_SESSION_KEY] = sociallogin.state["id_token"]
        appareil_trust(request, response, user)
        return response


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def is_open_for_signup(self, request, sociallogin):
        return False

    def list_apps(self, request, provider=None, client_id=None):
        # ProConnect's client comes from the environment only (no SocialApp in the database).
        if not proconnect.proconnect_enabled() or provider not in (None, "proconnect"):
            return []
        if client_id not in (None, settings.PROCONNECT_CLIENT_ID):
            return []
        app = SocialApp(
            provider="proconnect",
            name="ProConnect",
            client_id=settings.PROCONNECT_CLIENT_ID,
            secret=settings.PROCONNECT_CLIENT_SECRET,
        )
        return [app]

    def pre_social_login(self, request, sociallogin):
        """Links a new identity to the account of its e-mail, if it was invited or its address proven; an
        unknown identity, or one of a deactivated account, stops here with nothing created (SPEC §14)."""
        if sociallogin.is_existing:
            if not sociallogin.user.is_active:
                raise proconnect.ProConnectError(
                    proconnect.Erreur.INCONNU, f"compte {sociallogin.user.pk} désactivé"
                )
            return
        user = account_for_identity(sociallogin.account.extra_data.get("email") or "")
        if user is None:
            raise proconnect.ProConnectError(proconnect.Erreur.INCONNU, "aucun compte rattachable")
        with transaction.atomic():
            sociallogin.connect(request, user)
            proconnect_link_record(user=user)
