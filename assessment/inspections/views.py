"""督查 and 问题隐患: inspectors and the 安委办 record inspections with their findings; each unit
answers its own findings; inspectors verify or reject; the 安委办 closes a 重大事故隐患 (销号)."""

import copy

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.shortcuts import redirect, render
from django.utils import timezone

from assessment.models import Finding, FindingFile, Inspection
from responsibility import roles
from responsibility.models import Unit
from responsibility.tables import table_page

from . import services
from .access import get_inspection_for_user, my_unit_ids, posted, require_inspector
from .forms import (
    InspectionFilterForm,
    InspectionForm,
    finding_formset,
)
from .queries import with_finding_counts
from .tables import InspectionTable, finding_kind, finding_state

# --- inspections -----------------------------------------------------------------------


@login_required
def inspection_list(request):
    user = request.user
    today = timezone.localdate()
    units = Unit.objects.visible_to(user).in_city_order()
    form = InspectionFilterForm(request.GET, units=units)
    # Filter through a subquery, so the counts below are never narrowed by the filters' joins.
    visible = Inspection.objects.filter(pk__in=Inspection.objects.visible_to(user).values("pk"))
    inspections = with_finding_counts(form.filter(visible), user, today).prefetch_related(
        Prefetch("units", queryset=Unit.objects.in_city_order())
    )
    table = InspectionTable(inspections.order_by("-date", "-pk"), visible_unit_ids=my_unit_ids(user))
    return table_page(
        request,
        table,
        "assessment/inspection_list.html",
        {"form": form, "can_inspect": roles.can_inspect(user)},
        export_name="督查记录",
    )


def _typed_date(form, default=None):
    """The inspection date as typed, once valid: the findings' deadlines may not come before it."""
    if not form.is_bound:
        return default
    form.is_valid()
    return form.cleaned_data.get("date") or default


def _inspection_form_page(request, form, formset, inspection=None):
    return render(
        request,
        "assessment/inspection_form.html",
        {"form": form, "formset": formset, "inspection": inspection},
    )


@login_required
def inspection_create(request):
    require_inspector(request)
    form = InspectionForm(posted(request))
    formset = finding_formset(posted(request), request.FILES or None, inspection_date=_typed_date(form))
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        try:
            inspection = services.record_inspection(
                by=request.user, findings=formset.inputs(), **form.cleaned_data
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            count = inspection.findings.count()
            messages.success(
                request,
                f"已录入{inspection}，发现问题 {count} 项"
                + ("，已通知责任单位按期整改。" if count else "。"),
            )
            return redirect(inspection)
    return _inspection_form_page(request, form, formset)


def _findings_of(inspection: Inspection, user):
    return (
        Finding.objects.visible_to(user)
        .filter(inspection=inspection)
        .select_related("unit")
        .prefetch_related(Prefetch("files", queryset=FindingFile.objects.order_by("uploaded_at", "pk")))
        .order_by("unit__sort_order", "deadline", "pk")
    )


@login_required
def inspection_detail(request, pk: int):
    inspection = get_inspection_for_user(request, pk)
    user, today = request.user, timezone.localdate()
    findings = list(_findings_of(inspection, user))
    visible = my_unit_ids(user)
    units = [u for u in inspection.units.in_city_order() if visible is None or u.pk in visible]
    rows = [(f, *finding_state(f, today), finding_kind(f)) for f in findings]
    can_edit = roles.can_inspect(user) and services.editable(inspection)
    return render(
        request,
        "assessment/inspection_detail.html",
        {
            "inspection": inspection,
            "units": units,
            "rows": rows,
            "can_inspect": roles.can_inspect(user),
            "can_edit": can_edit,
            "open_count": sum(not f.done for f in findings),
            "overdue_count": sum(f.is_overdue(today) for f in findings),
        },
    )


@login_required
def inspection_edit(request, pk: int):
    inspection = get_inspection_for_user(request, pk)
    require_inspector(request)
    if not services.editable(inspection):
        messages.error(request, "已有单位报送了整改情况，本次督查不能再修改。")
        return redirect(inspection)
    findings = list(_findings_of(inspection, request.user))
    # The form works on a copy: the page keeps showing the stored inspection while errors are fixed.
    form = InspectionForm(posted(request), instance=copy.copy(inspection))
    formset = finding_formset(
        posted(request),
        request.FILES or None,
        findings=findings,
        inspection_date=_typed_date(form, inspection.date),
    )
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        data = {name: form.cleaned_data[name] for name in ("kind", "date", "team", "units", "summary")}
        try:
            services.revise_inspection(inspection, by=request.user, findings=formset.inputs(), **data)
        except services.StaleFindingError as error:
            messages.error(request, error.messages[0])
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"已保存对{inspection}的修改。")
            return redirect(inspection)
    return _inspection_form_page(request, form, formset, inspection)
