"""Forms for filing a quarter (one row per target) and for reviewing reports."""

from django import forms

from assessment.models import QUARTERS, ReportStatus
from responsibility.forms import ChineseFormMixin, YearField
from responsibility.models import UnitKind
from responsibility.uploads import EVIDENCE_KINDS, CheckedFilesField


def plain(value):
    """60.00 → "60", 12.50 → "12.5": what a person would type."""
    return None if value is None else f"{value.normalize():f}"


class ReportRowForm(ChineseFormMixin, forms.Form):
    """One target of the quarter: its cumulative value, the progress made, and evidence."""

    value = forms.DecimalField(label="累计值", required=False, max_digits=12, decimal_places=2)
    progress = forms.CharField(label="工作进展", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)
    files = CheckedFilesField(kinds=EVIDENCE_KINDS, label="佐证材料")  # PDF, images, Word, Excel
    # The token of files attached to an earlier, refused save of this row (reports.held).
    held = forms.CharField(required=False, max_length=32, widget=forms.HiddenInput)

    def __init__(self, *args, target, report, previous, **kwargs):
        super().__init__(*args, **kwargs)
        self.target = target
        self.report = report
        self.previous = previous  # last quarter's report of the same target, if any
        self.held_upload = None  # the PendingUpload of files kept from a refused save, set by the view
        value = self.fields["value"]
        value.error_messages.update(
            invalid="累计值须为数字，如 85 或 12.5。",
            max_digits="累计值数字过大。",
            max_decimal_places="累计值最多两位小数。",
        )
        value.widget.attrs.update({"inputmode": "decimal", "class": "form-control text-end"})
        self.fields["value"].label = f"{target.indicator.code} 累计值"
        if report is not None:
            self.initial = {
                "value": plain(report.value),
                "progress": report.progress,
                "version": report.version,
            }
        elif previous is not None:
            # A new quarter starts from where the last one ended.
            self.initial = {"value": plain(previous.value), "progress": "", "version": None}

    @property
    def held_names(self) -> list[str]:
        """The names of the files kept from a refused save, to be stored with the next one."""
        return [held["name"] for held in self.held_upload.payload["files"]] if self.held_upload else []

    @property
    def editable(self) -> bool:
        return self.report is None or self.report.editable

    def clean_value(self):
        value = self.cleaned_data["value"]
        if value is not None and value < 0:
            raise forms.ValidationError("累计值不能为负数。")
        return value

    def check_complete(self) -> None:
        """For submitting: every value filled, and evidence where the indicator asks for it."""
        if self.cleaned_data.get("value") is None and "value" not in self.errors:
            self.add_error("value", "请填写本季度累计值。")
        has_files = (
            bool(self.cleaned_data.get("files"))
            or self.held_upload is not None
            or (self.report is not None and bool(self.report.evidence.all()))
        )
        if self.target.indicator.evidence_required and not has_files and "files" not in self.errors:
            self.add_error("files", "该指标须上传佐证材料（PDF、照片、Word 或 Excel）。")


class ReviewFilterForm(ChineseFormMixin, forms.Form):
    year = YearField(required=False, empty_label="全部年度")
    quarter = forms.TypedChoiceField(
        label="季度", choices=[("", "全部季度"), *QUARTERS], coerce=int, required=False, empty_value=None
    )
    unit_kind = forms.ChoiceField(
        label="单位类别", choices=[("", "全部类别"), *UnitKind.choices], required=False
    )
    q = forms.CharField(label="单位", required=False)
    status = forms.ChoiceField(
        label="状态", choices=[("", "全部状态"), *ReportStatus.choices], required=False
    )
    late = forms.BooleanField(label="仅看迟报", required=False)

    def filter(self, reports):
        if not self.is_valid():
            return reports.filter(status=ReportStatus.SUBMITTED)
        data = self.cleaned_data
        if data["year"]:
            reports = reports.filter(year=data["year"])
        if data["quarter"]:
            reports = reports.filter(quarter=data["quarter"])
        if data["unit_kind"]:
            reports = reports.filter(unit__kind=data["unit_kind"])
        if data["q"]:
            reports = reports.filter(unit__name__contains=data["q"])
        if data["status"]:
            reports = reports.filter(status=data["status"])
        if data["late"]:
            reports = reports.filter(late=True)
        return reports


class ReviewForm(ChineseFormMixin, forms.Form):
    action = forms.ChoiceField(choices=[("approve", "通过"), ("return", "退回")])
    comment = forms.CharField(label="审核意见", required=False, max_length=500)


class ReopenForm(ChineseFormMixin, forms.Form):
    reason = forms.CharField(label="重新打开原因", max_length=500)


class QuarterForm(ChineseFormMixin, forms.Form):
    year = YearField(empty_label=None)
    quarter = forms.TypedChoiceField(label="季度", choices=QUARTERS, coerce=int)
