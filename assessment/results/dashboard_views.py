from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone

from responsibility import roles
from responsibility.models import Year

from . import keeping
from .dashboard import dashboard


@login_required
def dashboard_page(request):
    """驾驶舱: who is in trouble, for the city's leaders and the 安委办."""
    if not roles.sees_all_units(request.user):
        raise PermissionDenied
    today = timezone.localdate()
    year = Year.objects.current(today)
    if year is None:
        raise Http404
    kept, _ = keeping.year_results(year, today=today, items=False)  # 缺报 counted, no breakdowns
    data = dashboard(year, today=today, results=kept.results)
    charts = {"trend": data["trend"], "months": data["months"], "groups": data["groups"]}
    return render(
        request,
        "assessment/dashboard.html",
        {"year": year, "d": data, "charts": charts, "today": today, "kept": kept},
    )
