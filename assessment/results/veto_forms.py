"""Forms of the assessment's settings: a year's 一票否决 rules, and the what-if of the 安委办."""

from decimal import Decimal

from django import forms

from assessment.models import Accident, AccidentGrade
from assessment.rules import grading, vetoes
from responsibility.forms import ChineseFormMixin
from responsibility.models import Unit, UnitKind

# The parameters each kind of rule reads, with their labels (vetoes.VetoRule field names).
PARAMETERS = {
    vetoes.ACCIDENTS: (
        ("especially_major_count", "特别重大事故（起）"),
        ("major_count", "重大及以上事故（起）"),
        ("larger_count", "较大及以上事故（起）"),
    ),
    vetoes.CONCEALMENT: (("concealed_grade", "瞒报、谎报的事故等级（及以上）"),),
    vetoes.DEATH_CAP: (
        ("death_cap_percent", "死亡人数达控制数的（%）"),
        ("yellow_death_cap_percent", "黄牌：达控制数的（%）"),
    ),
    vetoes.SCORE: (("pass_line", "总分低于（分，留空按年度合格线）"),),
}
YELLOW_TRIGGERS = (vetoes.ACCIDENTS, vetoes.DEATH_CAP)
GRADE_CHOICES = [(grade, vetoes.GRADE_LABELS[grade]) for grade in grading.ORDER if grade != grading.ORDINARY]


class VetoRuleForm(ChineseFormMixin, forms.Form):
    """One rule of the year: on or off, which unit kinds, and its thresholds (blank: not counted)."""

    enabled = forms.BooleanField(label="启用", required=False)
    applies_to = forms.MultipleChoiceField(
        label="适用单位", choices=UnitKind.choices, widget=forms.CheckboxSelectMultiple, required=False
    )

    def __init__(self, *args, rule: vetoes.VetoRule, **kwargs):
        kwargs.setdefault("prefix", rule.code)
        initial = {"enabled": rule.enabled, "applies_to": sorted(rule.applies_to, key=UnitKind.values.index)}
        for name, _ in PARAMETERS.get(rule.trigger, ()):
            initial[name] = getattr(rule, name)
        if rule.trigger in YELLOW_TRIGGERS:
            initial["yellow"] = rule.yellow
        super().__init__(*args, initial=initial, **kwargs)
        self.rule = rule
        for name, label in PARAMETERS.get(rule.trigger, ()):
            if name == "concealed_grade":
                field = forms.ChoiceField(label=label, choices=GRADE_CHOICES)
            elif name.endswith("_count"):
                field = forms.IntegerField(label=label, required=False, min_value=1)
            else:
                field = forms.DecimalField(
                    label=label, required=False, min_value=0, max_digits=6, decimal_places=2
                )
            self.fields[name] = self.chinese(field)
        if rule.trigger in YELLOW_TRIGGERS:
            self.fields["yellow"] = forms.BooleanField(label="给出黄牌预警", required=False)

    def clean(self):
        data = super().clean()
        if data.get("enabled") and not data.get("applies_to"):
            self.add_error("applies_to", "启用的规则须至少适用于一类单位。")
        if self.rule.trigger == vetoes.ACCIDENTS and data.get("enabled"):
            counts = [data.get(name) for name, _ in PARAMETERS[vetoes.ACCIDENTS]]
            if all(count is None for count in counts) and not any(
                n in self.errors for n, _ in PARAMETERS[vetoes.ACCIDENTS]
            ):
                self.add_error("larger_count", "请至少填写一项起数，或停用此规则。")
        if (
            self.rule.trigger == vetoes.DEATH_CAP
            and data.get("enabled")
            and data.get("death_cap_percent") is None
        ):
            self.add_error("death_cap_percent", "请填写比例，或停用此规则。")
        return data

    def settings(self) -> dict:
        """What differs from the default rule, as `Year.veto_rules` stores it (JSON values)."""
        default = next(r for r in vetoes.DEFAULT_RULES if r.code == self.rule.code)
        changed = {}
        for name, value in self.cleaned_data.items():
            if name == "applies_to":
                value = frozenset(value)
            if value != getattr(default, name):
                if isinstance(value, frozenset):
                    value = sorted(value, key=UnitKind.values.index)
                elif isinstance(value, Decimal):
                    value = str(value.normalize()) if value == value.to_integral() else str(value)
                changed[name] = value
        return changed


def accident_label(accident: Accident) -> str:
    day = accident.occurred_at.astimezone().strftime("%m-%d")
    return f"{day} {accident.unit.name} {accident.title}（{accident.get_grade_display()}，死亡{accident.deaths}人）"


class AccidentChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, accident):
        return accident_label(accident)


class WhatIfForm(ChineseFormMixin, forms.Form):
    """One change to try: regrade an accident, or exempt a unit from one. Never saved."""

    accident = AccidentChoiceField(
        label="事故", queryset=Accident.objects.none(), required=False, empty_label="（选择事故）"
    )
    grade = forms.ChoiceField(
        label="改认定为", choices=[("", "（等级不变）"), *AccidentGrade.choices], required=False
    )
    exempt_unit = forms.ModelChoiceField(
        label="免责单位", queryset=Unit.objects.none(), required=False, empty_label="（不免责）"
    )

    def __init__(self, *args, accidents, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["accident"].queryset = accidents
        self.fields["exempt_unit"].queryset = units

    def clean(self):
        data = super().clean()
        accident, grade, unit = data.get("accident"), data.get("grade"), data.get("exempt_unit")
        if accident is None:
            if grade or unit:
                self.add_error("accident", "请选择要假设调整的事故。")
            return data
        if not grade and unit is None:
            self.add_error("grade", "请选择新的等级，或选择免责单位。")
        if grade and grade == accident.grade:
            self.add_error("grade", f"该事故已是{accident.get_grade_display()}事故。")
        responsible = {accident.unit_id, *accident.departments.values_list("pk", flat=True)}
        if unit is not None and unit.pk not in responsible:
            self.add_error("exempt_unit", "该单位不是这起事故的属地或监管部门，无需免责。")
        return data
