"""Forms of the accident register: record and revise, exemptions, import, and the register's filters."""

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db.models import Q
from django.utils import timezone

from assessment.models import Accident, AccidentGrade, Industry
from responsibility.forms import ChineseFormMixin
from responsibility.models import SUPERVISING_KINDS, TERRITORIAL_KINDS, Unit, Year
from responsibility.uploads import CheckedFileField

from . import services as accident_services
from . import workbook as accident_workbook
from .cells import MAX_COUNT
from .workbook import MAX_IMPORT_BYTES


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class AccidentForm(ChineseFormMixin, forms.ModelForm):
    """Record an accident, or revise one (then with 修改原因, required for a late change of a figure)."""

    class Meta:
        model = Accident
        fields = [
            "occurred_at",
            "title",
            "place",
            "industry",
            "unit",
            "departments",
            "deaths",
            "serious_injuries",
            "direct_loss",
            "reported_late",
            "concealed",
            "falsely_reported",
            "revision_reason",
        ]
        labels = {"unit": "属地单位"}
        widgets = {
            "occurred_at": DateTimeInput(),
            "departments": forms.CheckboxSelectMultiple,
            "revision_reason": forms.Textarea(attrs={"rows": 2}),
        }
        help_texts = {
            "unit": "事故发生地所在的板块（区、县级市、开发区）。",
            "departments": "负有行业监管职责的部门或市属企业，可多选。事故计入属地单位和每个监管部门。",
            "direct_loss": "以万元计，最多两位小数。",
        }

    def __init__(self, *args, today=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today or timezone.localdate()
        accident = self.instance
        unit_ids = [accident.unit_id] if accident.pk else []
        department_ids = list(accident.departments.values_list("pk", flat=True)) if accident.pk else []
        # Active 板块, plus the one already set: a unit deactivated since stays selectable, and
        # an older accident whose 属地 is a department shows it, with the error, until changed.
        self.fields["unit"].queryset = Unit.objects.filter(
            Q(kind__in=TERRITORIAL_KINDS, active=True) | Q(pk__in=unit_ids)
        ).in_city_order()
        self.fields["unit"].empty_label = "选择属地单位"
        self.fields["unit"].error_messages["invalid_choice"] = accident_services.NOT_TERRITORIAL
        self.fields["departments"].queryset = (
            Unit.objects.filter(kind__in=SUPERVISING_KINDS)
            .filter(Q(active=True) | Q(pk__in=department_ids))
            .in_city_order()
        )
        self.fields["industry"].choices = [("", "选择行业领域"), *Industry.choices]
        self.fields["occurred_at"].error_messages["invalid"] = "发生时间须为日期和时刻，如 2026-10-10 08:30。"
        for name in ("deaths", "serious_injuries"):
            field = self.fields[name]
            field.validators.append(MaxValueValidator(MAX_COUNT))
            field.widget.attrs.update(min=0, max=MAX_COUNT)
            field.error_messages.update(
                min_value=f"{field.label}不能为负数。",
                max_value=f"{field.label}超出合理范围，请核对。",
                invalid=f"{field.label}须为整数。",
            )
        loss = self.fields["direct_loss"]
        loss.error_messages.update(
            min_value="直接经济损失不能为负数。",
            max_decimal_places="直接经济损失最多两位小数。",
            max_digits="直接经济损失超出合理范围，请核对。",
            max_whole_digits="直接经济损失超出合理范围，请核对。",
        )
        loss.validators.append(MinValueValidator(0))
        loss.widget.attrs.update(min=0, step="0.01")
        if accident.pk:
            # Each revision gives its own reason: the last one is shown on the page, not re-used.
            self.initial["revision_reason"] = ""
            deadline = accident.revision_deadline()
            reason = self.fields["revision_reason"]
            late = self.today > deadline
            reason.label = "修改原因（修改伤亡或损失时必填）" if late else "修改原因（选填）"
            reason.help_text = (
                f"修订期至 {deadline:%Y-%m-%d}（事故后 {accident.revision_days} 天）；"
                "此后修改死亡人数、重伤人数或直接经济损失须说明原因，例如“伤者经抢救无效死亡”。"
            )
        else:
            del self.fields["revision_reason"]

    def clean_occurred_at(self):
        occurred_at = self.cleaned_data["occurred_at"]
        if occurred_at > timezone.now():
            raise forms.ValidationError("发生时间不能晚于现在。")
        return occurred_at

    def clean_unit(self):
        unit = self.cleaned_data["unit"]
        message = accident_services.territorial_unit_error(unit)
        if message:
            raise forms.ValidationError(message)
        return unit

    def clean(self):
        data = super().clean()
        unit, departments = data.get("unit"), data.get("departments")
        if unit and departments and unit in departments:
            self.add_error("departments", f"监管部门不能与属地单位（{unit}）相同。")
        occurred_at, title = data.get("occurred_at"), data.get("title")
        if unit and occurred_at and title:
            twins = Accident.objects.filter(unit=unit, occurred_at=occurred_at, title=title)
            if twins.exclude(pk=self.instance.pk).exists():
                self.add_error(
                    None,
                    f"{unit}已登记过这起事故（{timezone.localtime(occurred_at):%Y-%m-%d %H:%M} {title}），请勿重复登记。",
                )
        if self.instance.pk:
            message = accident_services.revision_reason_error(self.instance, data, today=self.today)
            if message:
                self.add_error("revision_reason", message)
        return data


class ExemptionForm(ChineseFormMixin, forms.Form):
    unit = forms.ModelChoiceField(label="免责单位", queryset=Unit.objects.none(), empty_label="选择单位")
    reason = forms.CharField(
        label="免责理由",
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="写明事故调查结论，例如：经调查，该单位已依法履行监管职责。",
    )

    def __init__(self, *args, units: list[Unit], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = Unit.objects.filter(pk__in=[unit.pk for unit in units])


class ImportForm(ChineseFormMixin, forms.Form):
    file = CheckedFileField(
        label="事故登记表（.xlsx）",
        kinds=("xlsx",),
        max_bytes=MAX_IMPORT_BYTES,
        help_text="请使用导入模板填写，每起事故一行，不超过 1000 行、5 MB。",
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        self.preview = accident_workbook.read_accident_workbook(upload)
        return upload


class AccidentFilterForm(ChineseFormMixin, forms.Form):
    year = forms.ModelChoiceField(
        label="年度", queryset=Year.objects.none(), empty_label="全部年度", required=False
    )
    unit = forms.ModelChoiceField(
        label="单位（属地或监管）", queryset=Unit.objects.none(), empty_label="全部单位", required=False
    )
    industry = forms.ChoiceField(
        label="行业领域", choices=[("", "全部行业"), *Industry.choices], required=False
    )
    grade = forms.ChoiceField(
        label="等级", choices=[("", "全部等级"), *AccidentGrade.choices], required=False
    )

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].queryset = Year.objects.order_by("-year")
        self.fields["year"].to_field_name = "year"
        self.fields["unit"].queryset = units

    def filter(self, accidents, *, with_year: bool = True):
        """The accidents the filters select; `with_year=False` leaves the year out (for 同比)."""
        if not self.is_valid():
            return accidents
        data = self.cleaned_data
        if with_year and data["year"]:
            accidents = accidents.in_window(data["year"])
        if data["unit"]:
            accidents = accidents.filter(Q(unit=data["unit"]) | Q(departments=data["unit"])).distinct()
        if data["industry"]:
            accidents = accidents.filter(industry=data["industry"])
        if data["grade"]:
            accidents = accidents.filter(grade=data["grade"])
        return accidents
