from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Comptes et rôles"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from accounts.services import conseiller_activate

        def activate_on_login(sender, request, user, **kwargs):
            # A conseiller who set his password through "mot de passe oublié" is activated as well.
            conseiller_activate(user=user)

        user_logged_in.connect(activate_on_login, weak=False, dispatch_uid="accounts.activate_on_login")
