"""Forms for the year-end assessment's inputs: 加减分, 考核扣分, and the reason for reopening a year."""

from decimal import Decimal

from django import forms
from django.db import models

from responsibility.forms import ChineseFormMixin
from responsibility.models import Target, Unit

from .finalizing import CHANGE_REASON_MAX

# No single bonus, penalty or deduction is larger than a whole assessment: a typo, not a decision.
MAX_POINTS = Decimal(100)


class AdjustmentKind(models.TextChoices):
    BONUS = "bonus", "加分"
    PENALTY = "penalty", "减分"
    VETO = "veto", "弄虚作假（一票否决）"


def _points_field(label: str, **kwargs) -> forms.DecimalField:
    field = forms.DecimalField(label=label, max_digits=5, decimal_places=2, **kwargs)
    field.widget.attrs.update(min=0, step="0.01", inputmode="decimal")
    return field


def _points_messages(field: forms.Field) -> None:
    field.error_messages.update(
        max_digits=f"{field.label}超出合理范围，请核对。",
        max_whole_digits=f"{field.label}超出合理范围，请核对。",
        max_decimal_places=f"{field.label}最多两位小数。",
    )


class AdjustmentForm(ChineseFormMixin, forms.Form):
    """加分 and 减分 are both typed as positive numbers; a 弄虚作假 veto carries no points."""

    unit = forms.ModelChoiceField(label="责任单位", queryset=Unit.objects.none(), empty_label="选择责任单位")
    kind = forms.ChoiceField(
        label="类别",
        choices=AdjustmentKind.choices,
        initial=AdjustmentKind.BONUS,
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
    )
    points = _points_field(
        "分值",
        required=False,
        help_text="加分、减分都填正数，如减 2 分填 2；一票否决不填。",
    )
    reason = forms.CharField(
        label="事由",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="如：获评省安全发展示范城市创建先进；被省安委办通报批评。",
    )
    basis = forms.CharField(
        label="文件依据", max_length=200, required=False, help_text="如 锡安委〔2026〕3号。"
    )

    def __init__(self, *args, year, **kwargs):
        super().__init__(*args, **kwargs)
        self.year = year
        self.fields["unit"].queryset = Unit.objects.active().in_city_order()
        self.fields["kind"].error_messages["invalid_choice"] = "请选择加分、减分或一票否决。"
        _points_messages(self.fields["points"])
        self.fields["points"].help_text += f"本年度加分合计上限 {year.bonus_cap:.2f} 分。"

    def clean(self):
        data = super().clean()
        kind, points = data.get("kind"), data.get("points")
        if kind is None or "points" in self.errors:
            return data
        if kind == AdjustmentKind.VETO:
            if points:
                self.add_error("points", "弄虚作假一票否决不计分值，请把分值留空。")
        elif points is None:
            label = AdjustmentKind(kind).label
            self.add_error("points", f"请填写{label}分值（正数，如 2）。")
        elif points < 0 and kind == AdjustmentKind.PENALTY:
            amount = f"{-points.normalize():f}"
            self.add_error("points", f"减分请填正数：扣 {amount} 分就填 {amount}。")
        elif points < 0:
            self.add_error("points", "加分分值须大于 0；要减分请选择“减分”。")
        elif points == 0:
            self.add_error("points", "分值须大于 0；一票否决请选择“弄虚作假（一票否决）”。")
        elif points > MAX_POINTS:
            self.add_error("points", f"分值不能超过 {MAX_POINTS} 分，请核对。")
        return data

    @property
    def manual_veto(self) -> bool:
        return self.cleaned_data["kind"] == AdjustmentKind.VETO

    def signed_points(self) -> Decimal:
        """The points as stored: + for a bonus, − for a penalty, 0 for a veto."""
        kind = self.cleaned_data["kind"]
        if kind == AdjustmentKind.VETO:
            return Decimal(0)
        points = self.cleaned_data["points"]
        return -points if kind == AdjustmentKind.PENALTY else points


class AdjustmentFilterForm(ChineseFormMixin, forms.Form):
    unit = forms.ModelChoiceField(
        label="责任单位", queryset=Unit.objects.none(), empty_label="全部单位", required=False
    )
    kind = forms.ChoiceField(
        label="类别", choices=[("", "全部类别"), *AdjustmentKind.choices], required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = Unit.objects.in_city_order()

    def filter(self, adjustments):
        if not self.is_valid():
            return adjustments
        data = self.cleaned_data
        if data["unit"]:
            adjustments = adjustments.filter(unit=data["unit"])
        if data["kind"] == AdjustmentKind.BONUS:
            adjustments = adjustments.filter(points__gt=0)
        elif data["kind"] == AdjustmentKind.PENALTY:
            adjustments = adjustments.filter(points__lt=0)
        elif data["kind"] == AdjustmentKind.VETO:
            adjustments = adjustments.filter(manual_veto=True)
        return adjustments


class DeductionForm(ChineseFormMixin, forms.Form):
    """One deduction from one of the unit's item-deduction targets (given, already loaded)."""

    target = forms.ChoiceField(label="考核指标")
    points = _points_field("扣分", help_text="本条扣的分数，如 0.5。")
    reason = forms.CharField(
        label="扣分理由",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="写明考核发现的问题，如：安委会未按季度研究安全生产工作。",
    )

    def __init__(self, *args, targets: list[Target], **kwargs):
        super().__init__(*args, **kwargs)
        self.targets = {str(target.pk): target for target in targets}
        field = self.fields["target"]
        choices = [
            (str(t.pk), f"{t.indicator.code} {t.indicator.name}（分值 {t.weight:.2f}）") for t in targets
        ]
        # With a single target there is nothing to choose: it is selected.
        field.choices = choices if len(choices) == 1 else [("", "选择考核指标"), *choices]
        field.error_messages["invalid_choice"] = "请选择本单位的考核指标。"
        field.error_messages["required"] = "请选择扣分的考核指标。"
        _points_messages(self.fields["points"])

    def clean_target(self) -> Target:
        return self.targets[self.cleaned_data["target"]]

    def clean_points(self) -> Decimal:
        points = self.cleaned_data["points"]
        if points <= 0:
            raise forms.ValidationError("扣分须大于 0，如 0.5。")
        if points > MAX_POINTS:
            raise forms.ValidationError(f"扣分不能超过 {MAX_POINTS} 分，请核对。")
        return points


class ReopenForm(ChineseFormMixin, forms.Form):
    reason = forms.CharField(
        label="重新打开的原因",
        max_length=CHANGE_REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="记入考核结果的修改记录，如：滨湖区第四季度填报数据有误，需更正后重新定稿。",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].error_messages["max_length"] = f"原因请控制在 {CHANGE_REASON_MAX} 字以内。"
