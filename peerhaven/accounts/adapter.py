"""allauth hooks: suspended members cannot sign in; who may sign up follows the staff's membership
policy (and an accepted invitation is marked so); a profile exists for every member; changing
the sign-in e-mail needs a fresh re-authentication."""

from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core.exceptions import ImmediateHttpResponse
from django.contrib import messages
from django.http import HttpRequest
from django.shortcuts import redirect
from django.utils.translation import gettext as _


class AccountAdapter(DefaultAccountAdapter):
    def pre_login(self, request: HttpRequest, user: Any, **kwargs: Any) -> Any:
        if getattr(user, "suspended_at", None) is not None:
            messages.error(request, _("This account is suspended. Contact the staff if you think this is a mistake."))
            raise ImmediateHttpResponse(redirect("account_login"))
        return super().pre_login(request, user, **kwargs)

    def is_open_for_signup(self, request: HttpRequest) -> bool:
        # The page opens when some way in could admit this visitor; the address itself is
        # checked by the sign-up form (peerhaven.staff.forms.MembershipSignupForm).
        from peerhaven.staff.policies import can_open_signup
        from peerhaven.staff.selectors import membership_policy, session_invitation

        return can_open_signup(membership_policy(), session_invitation(request))

    def save_user(self, request: HttpRequest, user: Any, form: Any, commit: bool = True) -> Any:
        user = super().save_user(request, user, form, commit=commit)
        if commit:
            from peerhaven.accounts.services import profile_ensure
            from peerhaven.staff.selectors import SESSION_INVITATION, session_invitation
            from peerhaven.staff.services import invitation_accept

            profile_ensure(user=user)
            invitation = session_invitation(request)
            if invitation is not None and invitation_accept(invitation=invitation, user=user, request=request):
                request.session.pop(SESSION_INVITATION, None)
        return user

    def is_reauthentication_required(self, *, app: str, **kwargs: Any) -> bool:
        # allauth asks again only for MFA changes by default. Adding, removing or switching the
        # primary e-mail address is how an account is taken over from an unattended session, so
        # it needs a recent password or second-factor check too (DESIGN: security baseline).
        if app == "allauth.account":
            return True
        return bool(super().is_reauthentication_required(app=app, **kwargs))
