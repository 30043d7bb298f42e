"""通报 pages: everyone reads the published circulars; the 安委办 drafts them from the data, edits,
publishes them with a 文号 and sees who has read them."""

import copy
import re

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Exists, F, OuterRef
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST

from assessment.models import Circular, CircularKind, CircularRead, CircularStatus
from assessment.results import assessing, charts
from responsibility import documents, exports, roles
from responsibility.access import manager_required, require_manager
from responsibility.models import Unit, Year
from responsibility.tables import table_page

from . import drafting as circular_drafting
from . import services as circular_services
from .forms import CircularCreateForm, CircularEditForm, CircularFilterForm, VersionForm
from .tables import CircularTable, ReceiptTable, receipt_rows

PDF_TEMPLATE = "assessment/circular_document.html"
HEADING = re.compile(r"^[一二三四五六七八九十]+、\S{1,28}$")

# Which tables each kind prints under its text (the body already names the units).
TABLES = {
    CircularKind.SITUATION: ("reporting", "accidents", "inspections", "ranking", "warnings"),
    CircularKind.REMINDER: ("reporting",),
    CircularKind.PRAISE: ("reporting", "accidents", "ranking"),
    CircularKind.CRITICISM: ("reporting", "inspections", "warnings"),
}
CHARTED = (CircularKind.SITUATION, CircularKind.PRAISE)


# --- the gate ----------------------------------------------------------------------------


def _get_circular_for_user(request, pk: int) -> Circular:
    """The one way views fetch a circular: 404 unless the user may see it (drafts: the 安委办 only)."""
    circulars = Circular.objects.visible_to(request.user).select_related("year")
    return get_object_or_404(circulars, pk=pk)


def _get_circular_for_manager(request, pk: int) -> Circular:
    circular = _get_circular_for_user(request, pk)
    require_manager(request)
    return circular


# --- what a circular shows, on the page and in the PDF -----------------------------------


def paragraphs(body: str) -> list[dict]:
    """The body's paragraphs, one a line: the first line ending in "：" is the 主送 (not indented),
    short numbered lines (一、…) are headings."""
    out = []
    for line in body.splitlines():
        text = line.strip()
        if not text:
            continue
        kind = ""
        if HEADING.match(text):
            kind = "heading"
        elif not out and text.endswith("：") and len(text) < 60:
            kind = "salutation"
        out.append({"text": text, "kind": kind})
    return out


def _group_rows(rows: list[dict]) -> list[dict]:
    """Rows with `group_start` set on the first of each group, for the group's header line."""
    previous = None
    out = []
    for row in rows:
        out.append(row | {"group_start": row["group"] != previous})
        previous = row["group"]
    return out


def chart_svg(figures: dict) -> str:
    """Accidents and deaths per 板块 this period against the same period last year."""
    rows = [row for row in figures["accidents"]["rows"] if row["group"] == "板块"]
    return charts.accidents_by_unit(rows, title=f"{figures['period_label']}各板块事故与上年同期")


def document_context(circular: Circular) -> dict:
    """Everything the circular shows, from its own row (its figures are stored on it)."""
    figures = circular.figures or {}
    shown = TABLES[circular.kind] if figures else ()
    published = circular.status == CircularStatus.PUBLISHED
    tables_ = {}
    if "reporting" in shown:
        tables_["reporting"] = figures["reporting"] | {"rows": _group_rows(figures["reporting"]["rows"])}
    if "accidents" in shown:
        tables_["accidents"] = figures["accidents"] | {"rows": _group_rows(figures["accidents"]["rows"])}
    if "inspections" in shown:
        tables_["inspections"] = figures["inspections"] | {
            "rows": _group_rows(figures["inspections"]["rows"])
        }
    if "ranking" in shown and figures.get("ranking"):
        tables_["ranking"] = figures["ranking"]
    ranking = figures.get("ranking") or {}
    if "warnings" in shown and (ranking.get("vetoed") or ranking.get("yellow")):
        tables_["warnings"] = {"vetoed": ranking["vetoed"], "yellow": ranking["yellow"]}
    numbered = {name: i for i, name in enumerate(tables_, start=1)}
    issued_on = timezone.localdate(circular.published_at) if published else None
    # The chart module escapes every text it draws, so its SVG goes into the page as it is.
    chart = mark_safe(chart_svg(figures)) if figures and circular.kind in CHARTED else ""
    return {
        "circular": circular,
        "office_name": settings.OFFICE_NAME,
        "doc_number": circular.doc_number if published else "（草稿，发布时编号）",
        "is_published": published,
        "title": circular.title,
        "paragraphs": paragraphs(circular.body),
        "figures": figures,
        "tables": tables_,
        "table_no": numbered,
        "chart": chart,
        "issued_on": documents.chinese_date(issued_on) if issued_on else "",
    }


def render_pdf(circular: Circular) -> bytes:
    return documents.html_to_pdf(render_to_string(PDF_TEMPLATE, document_context(circular)))


# --- the list ----------------------------------------------------------------------------


@login_required
def circular_list(request):
    user = request.user
    manager = roles.can_manage(user)
    form = CircularFilterForm(request.GET, with_status=manager)
    circulars = form.filter(Circular.objects.visible_to(user).select_related("year"))
    units = 0
    if manager:
        circulars = circulars.annotate(read_units=Count("reads__unit", distinct=True))
        units = Unit.objects.active().count()
    else:
        mine = CircularRead.objects.filter(circular=OuterRef("pk"), user=user)
        circulars = circulars.annotate(read_by_me=Exists(mine))
    # Drafts first (on every database), then the newest published.
    newest = circulars.order_by(F("published_at").desc(nulls_first=True), "-created_at", "-pk")
    table = CircularTable(newest, manager=manager, units=units)
    return table_page(
        request,
        table,
        "assessment/circular_list.html",
        {"form": form, "can_manage": manager},
        export_name="通报",
    )


# --- drafting and editing ----------------------------------------------------------------


def _default_period(year, today) -> int:
    """The last quarter that has ended (the one a circular is usually about), or the first."""
    return (assessing.last_quarter_ended(year, today) or 1) if year else 1


@manager_required
def circular_create(request):
    today = timezone.localdate()
    if request.method == "POST":
        form = CircularCreateForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            circular = circular_drafting.draft_circular(
                data["year"], data["period"], data["kind"], user=request.user, today=today
            )
            messages.success(request, "已根据当前数据起草通报，请核对、修改正文后发布。")
            return redirect("assessment:circular_edit", circular.pk)
    else:
        year = Year.objects.current(today)
        form = CircularCreateForm(
            initial={
                "kind": CircularKind.SITUATION,
                "year": year.year if year else None,
                "period": _default_period(year, today),
            }
        )
    return render(request, "assessment/circular_create.html", {"form": form})


@login_required
def circular_edit(request, pk: int):
    circular = _get_circular_for_manager(request, pk)
    if circular.status != CircularStatus.DRAFT:
        messages.error(request, circular_services.NOT_A_DRAFT)
        return redirect(circular)
    latest = None
    if request.method == "POST":
        form = CircularEditForm(request.POST, instance=circular)
        if form.is_valid():
            data = form.cleaned_data
            try:
                circular_services.edit_circular(
                    circular, title=data["title"], body=data["body"], version=data["version"]
                )
            except ValidationError as error:
                if error.code != "conflict":
                    messages.error(request, error.message)
                    return redirect(circular)
                # Keep what was typed; the next save is checked against the version now stored.
                latest = Circular.objects.select_related("year").get(pk=circular.pk)
                posted = request.POST.copy()
                posted["version"] = str(latest.version)
                # A copy: validating a ModelForm writes the typed text onto its instance.
                form = CircularEditForm(posted, instance=copy.copy(latest))
                form.is_valid()
                form.add_error(None, error.message)
            else:
                messages.success(request, "已保存通报正文。")
                return redirect("assessment:circular_edit", circular.pk)
    else:
        form = CircularEditForm(instance=circular)
    context = document_context(latest or circular) | {"form": form, "latest": latest}
    return render(request, "assessment/circular_edit.html", context)


def _version(request) -> int | None:
    form = VersionForm(request.POST)
    return form.cleaned_data["version"] if form.is_valid() else None


@require_POST
@login_required
def circular_regenerate(request, pk: int):
    circular = _get_circular_for_manager(request, pk)
    version = _version(request)
    if version is None:
        messages.error(request, "页面已过期，请刷新后重试。")
        return redirect("assessment:circular_edit", circular.pk)
    try:
        circular_services.regenerate_circular(circular, version=version)
    except ValidationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "已按最新数据重新生成数据表、标题和正文。")
    return redirect("assessment:circular_edit", circular.pk)


@login_required
def circular_publish(request, pk: int):
    """GET: what publishing will do (the 文号, who is told); POST: publish."""
    circular = _get_circular_for_manager(request, pk)
    if circular.status != CircularStatus.DRAFT:
        messages.error(request, circular_services.NOT_A_DRAFT)
        return redirect(circular)
    if request.method == "POST":
        version = _version(request)
        if version is None:
            messages.error(request, "页面已过期，请刷新后重试。")
            return redirect("assessment:circular_edit", circular.pk)
        try:
            published = circular_services.publish_circular(circular, user=request.user, version=version)
        except ValidationError as error:
            messages.error(request, error.message)
            return redirect("assessment:circular_edit", circular.pk)
        messages.success(request, f"已发布通报 {published.doc_number}，各单位和市领导将收到提醒。")
        return redirect(published)
    context = {
        "circular": circular,
        "doc_number": circular_services.next_doc_number(circular.year),
        "recipients": len(circular_services.recipient_ids()),
        "units": Unit.objects.active().count(),
        "form": VersionForm(initial={"version": circular.version}),
    }
    return render(request, "assessment/circular_publish.html", context)


# --- reading -----------------------------------------------------------------------------


@login_required
def circular_detail(request, pk: int):
    circular = _get_circular_for_user(request, pk)
    circular_services.record_read(circular, request.user)
    manager = roles.can_manage(request.user)
    context = document_context(circular) | {"can_manage": manager}
    if manager and circular.status == CircularStatus.PUBLISHED:
        context["read_units"] = (
            CircularRead.objects.filter(circular=circular, unit__isnull=False)
            .values("unit")
            .distinct()
            .count()
        )
        context["units"] = Unit.objects.active().count()
    return render(request, "assessment/circular_detail.html", context)


@login_required
def circular_pdf(request, pk: int):
    circular = _get_circular_for_user(request, pk)
    response = HttpResponse(render_pdf(circular), content_type="application/pdf")
    name = f"{circular.doc_number or '通报草稿'} {circular.title}.pdf"
    response["Content-Disposition"] = exports.attachment(name)
    return response


# --- receipts ----------------------------------------------------------------------------


@login_required
def circular_receipts(request, pk: int):
    circular = _get_circular_for_user(request, pk)
    require_manager(request)
    if circular.status != CircularStatus.PUBLISHED:
        messages.error(request, "通报发布后才有阅读回执。")
        return redirect("assessment:circular_edit", circular.pk)
    rows, others = receipt_rows(circular)
    show = request.GET.get("show", "")
    read = sum(1 for row in rows if row["read"])
    shown = [row for row in rows if (show != "unread" or not row["read"]) and (show != "read" or row["read"])]
    return table_page(
        request,
        ReceiptTable(shown),
        "assessment/circular_receipts.html",
        {
            "circular": circular,
            "read": read,
            "unread": len(rows) - read,
            "total": len(rows),
            "others": others,
            "show": show,
            "pdf_url": reverse("assessment:circular_pdf", args=[circular.pk]),
        },
        export_name=f"{circular.doc_number}阅读回执",
    )
