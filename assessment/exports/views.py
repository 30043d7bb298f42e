"""全年数据导出: the 安委办 and the city's leaders ask for a year's workbook and download it when ready."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from assessment.models import ExportStatus, YearExport
from responsibility import exports, roles
from responsibility.access import get_year
from responsibility.models import Year

from . import services as year_exports

PER_PAGE = 25
REFRESH_SECONDS = 5
BADGES = {  # status → badge: green when done, red when failed, amber while under way
    ExportStatus.QUEUED: "text-bg-secondary",
    ExportStatus.RUNNING: "text-bg-warning",
    ExportStatus.DONE: "text-bg-success",
    ExportStatus.FAILED: "text-bg-danger",
    ExportStatus.EXPIRED: "text-bg-light border",
}
ICONS = {
    ExportStatus.QUEUED: "…",
    ExportStatus.RUNNING: "⟳",
    ExportStatus.DONE: "✓",
    ExportStatus.FAILED: "✗",
}


def _require_city_view(request) -> None:
    """The workbook holds every unit's data: for those who see every unit (安委办, 市领导, 督查员)."""
    if not roles.sees_all_units(request.user):
        raise PermissionDenied


def _get_export_for_user(request, pk: int) -> YearExport:
    """The one way views fetch an export: 404 unless the user may see it."""
    exports_ = YearExport.objects.visible_to(request.user).select_related("year")
    return get_object_or_404(exports_, pk=pk)


def _list_url(year: int) -> str:
    return f"{reverse('assessment:data_export_list')}?year={year}"


@require_GET
@login_required
def data_export_list(request):
    """One year's exports, newest first, with the button that asks for another; the page reloads
    itself while one is queued or running."""
    _require_city_view(request)
    years = list(Year.objects.order_by("-year"))
    if not years:
        raise Http404
    chosen = request.GET.get("year", "")
    year = next((y for y in years if str(y.year) == chosen), None)
    if year is None:
        year = Year.objects.current(timezone.localdate())
    page = Paginator(
        YearExport.objects.visible_to(request.user).filter(year=year).select_related("requested_by"), PER_PAGE
    ).get_page(request.GET.get("page"))
    for export in page:
        export.badge = BADGES.get(export.status, "text-bg-secondary")
        export.icon = ICONS.get(export.status, "")
    pending = any(export.pending for export in page)
    return render(
        request,
        "assessment/year_export_list.html",
        {
            "years": years,
            "year": year,
            "page": page,
            "pending": pending,
            "refresh": REFRESH_SECONDS,
            "keep_days": settings.EXPORT_KEEP_DAYS,
        },
    )


@require_POST
@login_required
def data_export_request(request, year: int):
    _require_city_view(request)
    year_row = get_year(year)
    under_way = YearExport.objects.pending().filter(year=year_row).values_list("pk", flat=True).first()
    export = year_exports.request_export(year_row, request.user)
    if export.pk == under_way:
        messages.info(
            request,
            f"{year}年度全年数据已在导出（{export.get_status_display()}），无需重复申请，完成后即可在本页下载。",
        )
    else:
        messages.success(
            request, f"已开始导出{year}年度全年数据，完成后将在站内提醒中通知您，也可在本页下载。"
        )
    return redirect(_list_url(year))


@require_GET
@login_required
def data_export_download(request, pk: int):
    export = _get_export_for_user(request, pk)
    if export.status != ExportStatus.DONE or not export.file:
        raise Http404
    try:
        fileobj = export.file.open("rb")
    except FileNotFoundError as exc:  # removed from the storage by hand
        raise Http404 from exc
    response = FileResponse(fileobj, content_type=exports.CONTENT_TYPES["xlsx"])
    response["Content-Disposition"] = exports.attachment(export.download_name)
    return response
