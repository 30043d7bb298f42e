"""The gates every view passes: who may change the setup, and the lookups that answer 404 for what
the user may not see. Imports only Django and responsibility's models and roles."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404

from . import roles
from .models import Unit, Year


def require_manager(request) -> None:
    """Changing the setup is for the 安委办 only. Object views call it after their gate, so
    another unit's object is a 404 before it is ever a 403."""
    if not roles.can_manage(request.user):
        raise PermissionDenied


def manager_required(view):
    """For pages that hold no unit-scoped object: the 安委办 only."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        require_manager(request)
        return view(request, *args, **kwargs)

    return login_required(wrapped)


def get_unit_for_user(request, pk: int) -> Unit:
    """The one way views fetch a unit: 404 unless the user may see it."""
    return get_object_or_404(Unit.objects.visible_to(request.user), pk=pk)


def get_year(year) -> Year:
    """The one way views fetch a 考核年度 by its number. Years are city-wide: every logged-in
    user may read them; a number that is no year (or no number) is a 404."""
    try:
        number = int(year)
    except (TypeError, ValueError):
        raise Http404 from None
    return get_object_or_404(Year, year=number)
