"""The two pages of a ProConnect login (SPEC §14): the button's target, which sends the browser to
ProConnect, and the callback, which checks the state, reads the verified identity and logs in the linked
account. Every failure ends on one French page that says what happened and what to do; nothing is created."""

import logging

from allauth.account.utils import get_next_redirect_url
from allauth.socialaccount.adapter import get_adapter
from allauth.socialaccount.helpers import complete_social_login
from allauth.socialaccount.providers.base import AuthProcess
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render

from accounts import proconnect
from accounts.proconnect import Erreur, ProConnectError

logger = logging.getLogger(__name__)

# Title, explanation and HTTP status of each failure's page.
ECHECS = {
    Erreur.INCONNU: (
        "Aucun compte n'est associé à cette adresse",
        "Aucun compte n'est associé à cette adresse e-mail, ou ce compte n'a pas encore été ouvert par une "
        "invitation. Votre identité ProConnect n'a été rattachée à aucun compte.",
        403,
    ),
    Erreur.ETAT: (
        "La demande de connexion a expiré",
        "La réponse de ProConnect ne correspond à aucune demande de connexion en cours dans ce navigateur "
        "(elle a expiré, ou elle a été ouverte dans un autre navigateur).",
        400,
    ),
    Erreur.ANNULE: ("Connexion annulée", "Vous avez annulé la connexion sur ProConnect.", 400),
    Erreur.REFUS: ("Connexion refusée par ProConnect", "ProConnect n'a pas autorisé la connexion.", 400),
    Erreur.INDISPONIBLE: (
        "ProConnect ne répond pas",
        "ProConnect est momentanément indisponible. Réessayez dans quelques minutes, ou connectez-vous avec "
        "votre adresse e-mail et votre mot de passe.",
        503,
    ),
    Erreur.CODE: (
        "Ce retour de ProConnect a déjà servi ou a expiré",
        "Le code de connexion transmis par ProConnect n'est plus valable (il ne sert qu'une fois et expire "
        "vite).",
        400,
    ),
    Erreur.SIGNATURE: (
        "La réponse de ProConnect n'a pas pu être vérifiée",
        "La réponse reçue ne porte pas une signature valide de ProConnect : par précaution, elle a été "
        "refusée.",
        400,
    ),
}


def _provider(request):
    if not proconnect.proconnect_enabled():
        raise Http404("ProConnect n'est pas configuré.")
    return get_adapter().get_provider(request, "proconnect")


def _echec(request, error: ProConnectError):
    # The detail (which check failed, what the provider said) is for the logs, not for the page.
    logger.warning("Connexion ProConnect en échec : %s", error)
    titre, explication, status = ECHECS[error.erreur]
    context = {"titre": titre, "explication": explication, "erreur": error.erreur}
    return render(request, "accounts/proconnect_echec.html", context, status=status)


@login_not_required
def proconnect_login(request):
    """The button's form (POST): to ProConnect. A GET comes back to the login page."""
    provider = _provider(request)
    if request.method != "POST":
        return redirect("account_login")
    try:
        return provider.redirect(request, AuthProcess.LOGIN, next_url=get_next_redirect_url(request))
    except ProConnectError as error:
        return _echec(request, error)


@login_not_required
def proconnect_callback(request):
    provider = _provider(request)
    try:
        state = provider.unstash_redirect_state(request, request.GET.get("state", ""))
    except PermissionDenied:
        return _echec(request, ProConnectError(Erreur.ETAT))
    if "error" in request.GET or "code" not in request.GET:
        erreur = Erreur.ANNULE if request.GET.get("error") == "access_denied" else Erreur.REFUS
        return _echec(request, ProConnectError(erreur, request.GET.get("error", "")))
    try:
        claims, id_token = proconnect.identity_fetch(
            code=request.GET["code"],
            redirect_uri=provider.callback_url(request),
            code_verifier=state["pkce_code_verifier"],
            nonce=state["nonce"],
        )
        sociallogin = provider.sociallogin_from_response(request, claims)
        sociallogin.state = {**state, "id_token": id_token}
        return complete_social_login(request, sociallogin)
    except ProConnectError as error:
        return _echec(request, error)
