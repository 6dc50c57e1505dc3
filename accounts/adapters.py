from allauth.account.adapter import DefaultAccountAdapter
from django.urls import reverse


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request):
        # Accounts are created by invitation only (SPEC §2).
        return False

    def get_login_redirect_url(self, request):
        return reverse("accounts:home")
