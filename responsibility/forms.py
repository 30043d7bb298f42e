from datetime import date
from decimal import Decimal

from django import forms
from django.db.models import Q

from .models import (
    COUNTING_RULES,
    AccidentLink,
    Indicator,
    IndicatorMeasure,
    IndicatorRule,
    IndicatorSource,
    Unit,
    UnitKind,
    Year,
    default_deadlines,
)

REQUIRED = "请填写{label}。"

# The accident grades and industries of the register (assessment.models.AccidentGrade, Industry),
# by value: responsibility does not import assessment. A test checks they agree.
ACCIDENT_GRADES = [
    ("ordinary", "一般"),
    ("larger", "较大"),
    ("major", "重大"),
    ("especially_major", "特别重大"),
]
INDUSTRIES = [
    ("road", "道路交通"),
    ("industry_trade", "工矿商贸"),
    ("construction", "建筑施工"),
    ("hazchem", "危化品"),
    ("fire", "火灾"),
    ("special_equipment", "特种设备"),
    ("waterway", "水上交通"),
    ("rail", "铁路交通"),
    ("other", "其他"),
]


class ChineseFormMixin:
    """Plain-Chinese messages at the field ("请填写单位名称"), and Bootstrap classes on widgets."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            self.chinese(field)

    @staticmethod
    def chinese(field: forms.Field) -> forms.Field:
        """The messages and classes above, for one field (also for fields added after __init__)."""
        field.error_messages["required"] = REQUIRED.format(label=field.label)
        if isinstance(field, forms.DecimalField | forms.IntegerField):
            field.error_messages["invalid"] = f"{field.label}须为数字。"
        if isinstance(field, forms.DateField):
            field.error_messages["invalid"] = f"{field.label}须为日期，如 2026-04-10。"
        widget = field.widget
        if not isinstance(widget, forms.CheckboxInput | forms.CheckboxSelectMultiple):
            css = "form-select" if isinstance(widget, forms.Select) else "form-control"
            widget.attrs.setdefault("class", css)
        return field

    def full_clean(self):
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                widget.attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid".strip()


class YearField(forms.ModelChoiceField):
    """A 考核年度 chosen by its number (?year=2026), newest first."""

    def __init__(self, **kwargs):
        kwargs.setdefault("label", "年度")
        super().__init__(queryset=Year.objects.order_by("-year"), to_field_name="year", **kwargs)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


# --- units -----------------------------------------------------------------------------


class UnitForm(ChineseFormMixin, forms.ModelForm):
    class Meta:
        model = Unit
        fields = ["code", "name", "kind", "leader_name", "deputy_name", "sort_order"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            # The code is how other systems and exports name the unit: it never changes.
            self.fields["code"].disabled = True


class UnitFilterForm(ChineseFormMixin, forms.Form):
    q = forms.CharField(label="搜索", required=False)
    kind = forms.ChoiceField(label="类别", choices=[("", "全部类别"), *UnitKind.choices], required=False)
    active = forms.ChoiceField(
        label="状态", choices=[("1", "启用"), ("0", "已停用"), ("all", "全部")], required=False
    )

    def filter(self, units):
        if not self.is_valid():
            return units.active()
        data = self.cleaned_data
        # A first visit (no ?active=) shows the working list: active units only.
        data["active"] = data["active"] or "1"
        if data["q"]:
            units = units.filter(Q(name__contains=data["q"]) | Q(code__icontains=data["q"]))
        if data["kind"]:
            units = units.filter(kind=data["kind"])
        if data["active"] in ("0", "1"):
            units = units.filter(active=data["active"] == "1")
        return units


# --- years -----------------------------------------------------------------------------


YEAR_DATES = [
    "q1_deadline",
    "q2_deadline",
    "q3_deadline",
    "q4_deadline",
    "accident_window_start",
    "accident_window_end",
]


class YearForm(ChineseFormMixin, forms.ModelForm):
    class Meta:
        model = Year
        fields = [
            "year",
            "status",
            *YEAR_DATES,
            "excellent_min",
            "good_min",
            "pass_min",
            "bonus_cap",
            "first_tier_percent",
            "second_tier_percent",
            "missing_entered_percent",
        ]
        widgets = dict.fromkeys(YEAR_DATES, DateInput())

    # A new year may leave its dates blank: the defaults are filled in.
    defaultable = YEAR_DATES

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["year"].disabled = True
        else:
            for name in self.defaultable:
                self.fields[name].required = False
                self.fields[name].help_text = "留空则按默认值。"
        self.fields["year"].min_value = 2000
        self.fields["year"].widget.attrs.update(min=2000, max=2100)
        # 缺报 scores nothing unless the year says otherwise: a blank is 0.
        self.fields["missing_entered_percent"].required = False
        self.fields["missing_entered_percent"].widget.attrs.update(min=0, max=100)

    def clean_missing_entered_percent(self):
        value = self.cleaned_data["missing_entered_percent"]
        if value is None:
            return Decimal(0)
        if not 0 <= value <= 100:
            raise forms.ValidationError("缺报项得分比例须在 0 至 100 之间（0 即缺报项不得分）。")
        return value

    def clean_year(self):
        year = self.cleaned_data["year"]
        if not 2000 <= year <= 2100:
            raise forms.ValidationError("请填写 2000 至 2100 之间的年份。")
        return year

    def clean(self):
        data = super().clean()
        year = data.get("year")
        if year and not self.instance.pk:
            defaults = default_deadlines(year) | {
                "accident_window_start": date(year, 1, 1),
                "accident_window_end": date(year, 12, 31),
            }
            for name in self.defaultable:
                if data.get(name) is None and name not in self.errors:
                    data[name] = defaults[name]
                    setattr(self.instance, name, defaults[name])
        return data


# --- indicator catalog -----------------------------------------------------------------


class IndicatorForm(ChineseFormMixin, forms.ModelForm):
    per_unit = forms.DecimalField(
        label="扣分标准（分）",
        required=False,
        min_value=0,
        max_digits=5,
        decimal_places=2,
        help_text="控制数、按次或逐项扣分时，每超 1 人、每起或每项扣的分数。",
    )
    grades = forms.MultipleChoiceField(
        label="计入事故等级",
        choices=ACCIDENT_GRADES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="不选即全部等级。",
    )
    industries = forms.MultipleChoiceField(
        label="计入行业领域",
        choices=INDUSTRIES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="不选即全部行业领域。",
    )

    class Meta:
        model = Indicator
        fields = [
            "code",
            "name",
            "category",
            "rule",
            "source",
            "per_unit",
            "measure",
            "grades",
            "industries",
            "link",
            "is_death_cap",
            "evidence_required",
            "description",
            "sort_order",
            "active",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    # Rules that deduct a fixed number of points per death or per occurrence need that number.
    deducting_rules = {IndicatorRule.CAP_DEDUCTION, IndicatorRule.COUNT_DEDUCTION}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["per_unit"].initial = self.instance.per_unit
        self.fields["per_unit"].error_messages["min_value"] = "扣分标准不能为负数。"
        if self.instance.pk:
            self.fields["code"].disabled = True
        self.fields["link"].required = False  # left out: 属地和监管部门, the default

    def clean_link(self):
        return self.cleaned_data.get("link") or AccidentLink.BOTH

    def clean_code(self):
        return self.cleaned_data["code"].strip().upper()

    def clean(self):
        data = super().clean()
        rule = data.get("rule")
        if rule in self.deducting_rules and data.get("per_unit") is None and "per_unit" not in self.errors:
            self.add_error("per_unit", "该评分规则须填写扣分标准。")
        self._clean_counting(data)
        return data

    def _clean_counting(self, data):
        """What a derived indicator counts: only for source=derived; the death cap only for a cap on deaths."""
        rule, source, measure = data.get("rule"), data.get("source"), data.get("measure")
        derived = source == IndicatorSource.DERIVED
        if not derived:
            for name, empty in (
                ("measure", ""),
                ("grades", []),
                ("industries", []),
                ("link", AccidentLink.BOTH),
            ):
                value = data.get(name)
                if value and value != empty:
                    self.add_error(name, f"仅“系统计算”的指标可设置{self.fields[name].label}。")
        elif rule in COUNTING_RULES and not measure:
            self.add_error("measure", "系统计算的该类指标须选择计算口径（事故起数、死亡人数等）。")
        elif rule not in COUNTING_RULES and measure:
            self.add_error("measure", "该评分规则不按事故统计（双下降或逐项扣分），计算口径须留空。")
        if not data.get("is_death_cap"):
            return
        if not (derived and rule == IndicatorRule.CAP_DEDUCTION and measure == IndicatorMeasure.DEATHS):
            self.add_error("is_death_cap", "仅“控制数扣分”、由系统按死亡人数计算的指标可作为死亡人数控制数。")
        # One death cap per unit kind: Indicator.clean, run by the ModelForm after this.

    def save(self, commit=True):
        indicator = super().save(commit=False)
        per_unit = self.cleaned_data.get("per_unit")
        params = dict(indicator.params)
        if per_unit is None:
            params.pop("per_unit", None)
        else:
            params["per_unit"] = str(per_unit)
        indicator.params = params
        if commit:
            indicator.save()
        return indicator


class WeightsForm(ChineseFormMixin, forms.Form):
    """The points of every active indicator for one unit kind; together they make 100."""

    def __init__(self, *args, kind: str, indicators: list[Indicator], **kwargs):
        super().__init__(*args, **kwargs)
        self.kind = kind
        self.indicators = indicators
        for indicator in indicators:
            self.fields[self.field_name(indicator)] = forms.DecimalField(
                label=f"{indicator.code} {indicator.name}",
                required=False,
                min_value=Decimal("0.5"),
                max_value=100,
                max_digits=5,
                decimal_places=2,
                initial=indicator.weight_for(kind),
                error_messages={
                    "min_value": "分值至少 0.5 分；不适用请留空。",
                    "max_value": "分值不能超过 100 分。",
                    "max_decimal_places": "分值最多两位小数。",
                },
            )
        for field in self.fields.values():
            field.widget.attrs.update({"class": "form-control form-control-sm text-end", "step": "0.5"})
            field.error_messages["invalid"] = "分值须为数字。"

    @staticmethod
    def field_name(indicator: Indicator) -> str:
        return f"w_{indicator.pk}"

    def rows(self):
        return [(indicator, self[self.field_name(indicator)]) for indicator in self.indicators]

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        caps = [i for i in self.indicators if i.is_death_cap and data.get(self.field_name(i)) is not None]
        for indicator in caps[1:]:  # the veto reads one death cap per unit
            self.add_error(
                self.field_name(indicator),
                f"{UnitKind(self.kind).label}已有死亡人数控制数指标 {caps[0].code}，每类单位至多一项。",
            )
        if caps[1:]:
            return data
        total = sum((value for value in data.values() if value is not None), Decimal(0))
        if total != 100:
            raise forms.ValidationError(
                f"{UnitKind(self.kind).label}的指标分值合计为 {total:.2f} 分，应为 100.00 分，"
                f"请{'减少' if total > 100 else '增加'} {abs(total - 100):.2f} 分。"
            )
        return data

    def changed_indicators(self) -> list[Indicator]:
        """Apply the submitted weights to the indicators; return those that changed."""
        changed = []
        for indicator in self.indicators:
            value = self.cleaned_data[self.field_name(indicator)]
            weights = dict(indicator.weights)
            if value is None:
                weights.pop(self.kind, None)
            else:
                weights[self.kind] = f"{value:.2f}"
            if weights != indicator.weights:
                indicator.weights = weights
                changed.append(indicator)
        return changed
