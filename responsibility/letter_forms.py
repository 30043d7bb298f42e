"""Forms for preparing, editing, issuing, signing and amending 安全生产责任书."""

from decimal import Decimal

from django import forms
from django.forms import BaseInlineFormSet, inlineformset_factory
from django.utils import timezone

from .forms import ChineseFormMixin, DateInput, YearField
from .models import Indicator, LetterStatus, ResponsibilityLetter, Target, UnitKind
from .uploads import SCAN_KINDS, CheckedFileField


class LetterFilterForm(ChineseFormMixin, forms.Form):
    year = YearField(required=False, empty_label="全部年度")
    kind = forms.ChoiceField(label="单位类别", choices=[("", "全部类别"), *UnitKind.choices], required=False)
    status = forms.ChoiceField(
        label="状态", choices=[("", "全部状态"), *LetterStatus.choices], required=False
    )
    overdue = forms.BooleanField(label="仅看逾期未签", required=False)

    def filter(self, letters, *, today):
        if not self.is_valid():
            return letters
        data = self.cleaned_data
        if data["year"]:
            letters = letters.filter(year=data["year"])
        if data["kind"]:
            letters = letters.filter(unit__kind=data["kind"])
        if data["status"]:
            letters = letters.filter(status=data["status"])
        if data["overdue"]:
            letters = letters.overdue_to_sign(today)
        return letters


class PrepareLettersForm(ChineseFormMixin, forms.Form):
    year = YearField(label="为哪一年度生成", empty_label=None)
    cap_change_pct = forms.DecimalField(
        label="死亡人数等控制数调整（%）",
        initial=Decimal(5),
        min_value=-100,
        max_value=100,
        max_digits=5,
        decimal_places=1,
        help_text="正数为在上年目标值基础上下调，例如 5 表示下调 5%（向下取整，不低于 0）；0 为沿用上年。",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cap_change_pct"].error_messages.update(
            min_value="调整比例不能低于 -100%。", max_value="调整比例不能超过 100%。"
        )


class IssueForm(ChineseFormMixin, forms.Form):
    issuer_name = forms.CharField(
        label="签发人", max_length=30, help_text="代表市人民政府签发的领导，如市长姓名。"
    )
    issued_on = forms.DateField(label="下发日期", widget=DateInput())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["issued_on"].initial = timezone.localdate()


class SignForm(ChineseFormMixin, forms.Form):
    signer_name = forms.CharField(
        label="签订人", max_length=30, help_text="在责任书上签字的本单位主要负责人。"
    )
    signed_on = forms.DateField(label="签订日期", widget=DateInput())
    scan = CheckedFileField(label="签字盖章后的扫描件", kinds=SCAN_KINDS)

    def __init__(self, *args, letter: ResponsibilityLetter, **kwargs):
        super().__init__(*args, **kwargs)
        self.letter = letter
        self.fields["signer_name"].initial = letter.unit.leader_name
        self.fields["signed_on"].initial = timezone.localdate()
        self.fields["scan"].help_text = "PDF、JPEG 或 PNG，不超过 20 MB。"

    def clean_signed_on(self):
        signed_on = self.cleaned_data["signed_on"]
        if signed_on > timezone.localdate():
            raise forms.ValidationError("签订日期不能晚于今天。")
        if self.letter.issued_on and signed_on < self.letter.issued_on:
            raise forms.ValidationError(f"签订日期不能早于下发日期（{self.letter.issued_on:%Y-%m-%d}）。")
        return signed_on


class AmendForm(ChineseFormMixin, forms.Form):
    reason = forms.CharField(
        label="修订原因",
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=500,
        help_text="例如：市政府调整死亡人数控制指标。修订后须由单位重新签订。",
    )


class TargetForm(ChineseFormMixin, forms.ModelForm):
    class Meta:
        model = Target
        fields = ["indicator", "weight", "target_value", "wording"]
        widgets = {"wording": forms.TextInput()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["indicator"].queryset = Indicator.objects.active()
        self.fields["indicator"].empty_label = "选择要增加的指标"
        if self.instance.pk:
            self.fields["indicator"].disabled = True
        self.fields["weight"].error_messages.update(min_value="分值须大于 0。")
        self.fields["weight"].min_value = Decimal("0.5")
        self.fields["weight"].widget.attrs.update(min="0.5", step="0.5")
        self.fields["target_value"].widget.attrs.update(min="0", step="any")
        self.fields["wording"].widget.attrs["placeholder"] = (
            f"留空则为“{self.instance.commitment}”" if self.instance.pk else "留空则按评分规则自动生成"
        )

    def clean_target_value(self):
        value = self.cleaned_data["target_value"]
        if value is not None and value < 0:
            raise forms.ValidationError("目标值不能为负数。")
        return value


class BaseTargetFormSet(BaseInlineFormSet):
    def clean(self):
        super().clean()
        if any(self.errors):
            return
        total = Decimal(0)
        for form in self.forms:
            if not form.has_changed() and not form.instance.pk:
                continue
            if self.can_delete and self._should_delete_form(form):
                continue
            total += form.cleaned_data.get("weight") or 0
        if total != 100:
            raise forms.ValidationError(
                f"目标分值合计为 {total:.2f} 分，应为 100.00 分，请{'减少' if total > 100 else '增加'} "
                f"{abs(total - 100):.2f} 分。"
            )


TargetFormSet = inlineformset_factory(
    ResponsibilityLetter,
    Target,
    form=TargetForm,
    formset=BaseTargetFormSet,
    extra=1,
    can_delete=True,
)
