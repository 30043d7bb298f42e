"""The gates of 督查 and findings: each object through the user's scope, a 404 outside it; the inspector's check."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from assessment.models import Finding, Inspection
from responsibility import roles

# --- the gates -------------------------------------------------------------------------


def get_inspection_for_user(request, pk: int) -> Inspection:
    """The one way views fetch an inspection: 404 unless it looked at, or found a problem of, the user's unit."""
    inspections = Inspection.objects.visible_to(request.user).select_related("year", "created_by")
    return get_object_or_404(inspections, pk=pk)


def get_finding_for_user(request, pk: int) -> Finding:
    """The one way views fetch a finding: 404 unless the user's unit must rectify it (or a city role)."""
    findings = Finding.objects.visible_to(request.user).select_related(
        "unit", "inspection", "rectified_by", "verified_by"
    )
    return get_object_or_404(findings, pk=pk)


def require_inspector(request) -> None:
    if not roles.can_inspect(request.user):
        raise PermissionDenied


def posted(request):
    return request.POST if request.method == "POST" else None


def my_unit_ids(user) -> set[int] | None:
    """The units a unit member may see named; None for the city's roles, who see every unit."""
    if roles.sees_all_units(user):
        return None
    return {m.unit_id for m in user.memberships.all()}
