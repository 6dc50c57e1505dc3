from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from accounts import services
from accounts.enums import RoleKind
from accounts.limits import INVITATIONS_LIMITED, invitation_allowed
from accounts.models import SCOPE_FIELDS, Invitation
from cnfs.pages.comptes.forms import ChoosePasswordForm, InvitationForm
from cnfs.pages.decorators import role_required
from cnfs.pages.middleware import SESSION_ROLE_KEY, user_roles


def home(request):
    """Where an account lands after login: the home of its active role."""
    role = request.role
    if role is None:
        return render(request, "accounts/no_role.html", status=403)
    if role.kind == RoleKind.CONSEILLER:
        return redirect("cra:home")
    return redirect("conseillers:pilotage")


@require_POST
def switch_role(request):
    """Switches the active role among the account's own roles (the id is checked against them)."""
    role_id = request.POST.get("role", "")
    role = next((role for role in user_roles(request) if str(role.pk) == role_id), None)
    if role is None:
        messages.error(request, "Ce rôle n'existe pas ou ne vous appartient pas.")
        return redirect("accounts:home")
    request.session[SESSION_ROLE_KEY] = role.pk
    messages.success(request, f"Vous naviguez maintenant en tant que : {role}.")
    return redirect("accounts:home")


@role_required(RoleKind.ADMIN, RoleKind.STRUCTURE)
def invite(request):
    form = InvitationForm(request.POST or None, role=request.role)
    if request.method == "POST" and form.is_valid():
        if not invitation_allowed(request):
            form.add_error(None, INVITATIONS_LIMITED)
            return render(request, "accounts/invite.html", {"form": form}, status=429)
        data = form.cleaned_data
        try:
            invitation = services.invitation_create(
                invited_by_role=request.role,
                email=data["email"],
                first_name=data["first_name"],
                last_name=data["last_name"],
                kind=data["kind"],
                **data["scope"],
            )
        except ValidationError as error:
            form.add_error("email", error)
        else:
            messages.success(
                request,
                f"Invitation envoyée à {invitation.user.email}. Le lien est valable 7 jours ; le rôle est "
                "donné quand la personne l'a suivi.",
            )
            if not invitation.user.is_active:
                messages.warning(
                    request,
                    f"Le compte {invitation.user.email} est désactivé : son lien ne fonctionnera qu'une fois "
                    "le compte réactivé dans l'administration (case « actif »).",
                )
            return redirect("accounts:invite")
    return render(request, "accounts/invite.html", {"form": form})


@login_not_required
def invitation_accept(request, token):
    # The role it gives is shown on the page: its scope in the same query.
    invitation = Invitation.objects.for_token(token).select_related("user", *SCOPE_FIELDS).first()
    if invitation is None or not invitation.is_valid:
        return render(request, "accounts/invitation_invalid.html", status=410)
    form = ChoosePasswordForm(request.POST or None, user=invitation.user)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.invitation_accept(invitation=invitation, password=form.cleaned_data["password1"])
        except ValidationError:
            return render(request, "accounts/invitation_invalid.html", status=410)
        login(request, user, backend="allauth.account.auth_backends.AuthenticationBackend")
        messages.success(request, "Votre mot de passe est enregistré : bienvenue !")
        return redirect("accounts:home")
    return render(
        request,
        "accounts/invitation_accept.html",
        {"form": form, "invited_user": invitation.user, "role": invitation.role},
    )
