"""A year's 一票否决 rules, and the 安委办's what-if: regrade an accident or exempt a unit, see the
ranking and the vetoes it would give beside today's. The what-if saves nothing: it is a GET."""

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.forms import formset_factory
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_safe

from assessment.accidents.figures import Scenario
from assessment.kept import changes
from assessment.models import Accident, Assessment
from assessment.rules import vetoes
from assessment.rules.scoring import fmt
from responsibility import roles
from responsibility.access import get_year, manager_required, require_manager
from responsibility.letter_views import notify_letters_differ
from responsibility.models import Unit, UnitGroup, UnitKind, Year

from . import assessing
from .veto_forms import PARAMETERS, VetoRuleForm, WhatIfForm

KIND_LABELS = dict(UnitKind.choices)


def _rule_forms(year: Year, data=None) -> list[VetoRuleForm]:
    return [VetoRuleForm(data, rule=rule) for rule in vetoes.rules_from_config(year.veto_rules)]


def _describe(rule: vetoes.VetoRule) -> list[str]:
    """The rule's settings in words, for the read-only view."""
    words = []
    for name, label in PARAMETERS.get(rule.trigger, ()):
        value = getattr(rule, name)
        if name == "concealed_grade":
            words.append(f"{label}：{vetoes.GRADE_LABELS[value]}")
        elif value is not None:
            words.append(f"{label}：{fmt(value)}")
    return words


@login_required
def veto_rules(request, year: int):
    """Everyone who sees the ranking reads the year's rules; the 安委办 changes them until the
    year is finalized."""
    if not roles.sees_all_units(request.user):
        raise PermissionDenied
    year_obj = get_year(year)
    finalized = Assessment.objects.filter(year=year_obj).exists()
    forms = _rule_forms(year_obj)
    if request.method == "POST":
        require_manager(request)
        if finalized:
            messages.error(
                request, f"{year_obj.year}年度已定稿，否决规则不能再改；如需修改，请先重新打开考核。"
            )
            return redirect("assessment:veto_rules", year=year_obj.year)
        forms = _rule_forms(year_obj, request.POST)
        if all([form.is_valid() for form in forms]):
            settings = {form.rule.code: changed for form in forms if (changed := form.settings())}
            vetoes.rules_from_config(settings)  # the forms only give values it accepts
            year_obj.veto_rules = settings
            with transaction.atomic():
                year_obj.save(update_fields=["veto_rules", "updated_at"])
                changes.year_changed(year_obj)
            messages.success(request, f"{year_obj.year}年度一票否决规则已保存，暂定排名即按新规则计算。")
            notify_letters_differ(request, year_obj)
            return redirect("assessment:veto_rules", year=year_obj.year)
    rows = [
        {
            "form": form,
            "rule": form.rule,
            "kinds": "、".join(KIND_LABELS[k] for k in UnitKind.values if k in form.rule.applies_to),
            "settings": _describe(form.rule),
            "params": [form[name] for name in form.fields if name not in ("enabled", "applies_to")],
        }
        for form in forms
    ]
    return render(
        request,
        "assessment/veto_rules.html",
        {
            "year": year_obj,
            "rows": rows,
            "finalized": finalized,
            "editable": roles.can_manage(request.user) and not finalized,
        },
    )


@dataclass
class Change:
    unit: assessing.UnitRef
    now: assessing.UnitResult
    then: assessing.UnitResult

    @property
    def veto_changed(self) -> bool:
        return self.now.veto_codes != self.then.veto_codes


def _changes(now: list[assessing.UnitResult], then: list[assessing.UnitResult]) -> dict[str, list[Change]]:
    """Per group label, the units whose total, rank, grade, 等次, vetoes or 黄牌 would change."""
    before = {r.unit.id: r for r in now}
    changed: dict[str, list[Change]] = {}
    for result in then:
        old = before[result.unit.id]
        key = lambda r: (r.score, r.rank, r.grade, r.tier, r.veto_codes, [c.code for c in r.yellow_cards])  # noqa: E731
        if key(old) != key(result):
            changed.setdefault(result.unit.group_label, []).append(Change(result.unit, old, result))
    return changed


WhatIfFormSet = formset_factory(WhatIfForm, extra=3, max_num=10)


@require_safe
@manager_required
def what_if(request, year: int):
    year_obj = get_year(year)
    accidents = (
        Accident.objects.filter(
            occurred_at__date__gte=year_obj.accident_window_start,
            occurred_at__date__lte=year_obj.accident_window_end,
        )
        .select_related("unit")
        .order_by("-occurred_at", "-pk")
    )
    units = Unit.objects.filter(active=True).order_by("sort_order", "name")
    kwargs = {"form_kwargs": {"accidents": accidents, "units": units}, "prefix": "c"}
    asked = "c-TOTAL_FORMS" in request.GET
    formset = WhatIfFormSet(request.GET if asked else None, **kwargs)
    context = {"year": year_obj, "formset": formset, "asked": asked}
    if asked and formset.is_valid():
        grades, exemptions, said = {}, set(), []
        for form in formset:
            accident = form.cleaned_data.get("accident")
            if accident is None:
                continue
            if grade := form.cleaned_data.get("grade"):
                grades[accident.pk] = grade
                said.append(f"{accident.title}改认定为{dict(form.fields['grade'].choices)[grade]}事故")
            if unit := form.cleaned_data.get("exempt_unit"):
                exemptions.add((accident.pk, unit.pk))
                said.append(f"{unit.name}对{accident.title}免责")
        if said:
            today = timezone.localdate()
            now = assessing.assess_year(year_obj, today=today)
            then = assessing.assess_year(
                year_obj, today=today, scenario=Scenario(grades=grades, exemptions=frozenset(exemptions))
            )
            changes = _changes(now, then)
            context |= {
                "said": said,
                "groups": [(label, changes[label]) for label in UnitGroup.labels if label in changes],
                "unchanged": len(now) - sum(len(c) for c in changes.values()),
            }
        else:
            formset.forms[0].add_error("accident", "请至少假设一项调整：选择事故，再选新的等级或免责单位。")
    return render(request, "assessment/what_if.html", context)
