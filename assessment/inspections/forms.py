"""Forms of inspections and findings: the inspection with its findings, the rectification steps, filters."""

from django import forms
from django.db.models import Q
from django.utils import timezone

from assessment.models import FindingStatus, Inspection, InspectionKind, ListingLevel
from responsibility.forms import ChineseFormMixin, DateInput, YearField
from responsibility.models import Unit
from responsibility.uploads import CheckedFilesField

from .services import FindingInput

PHOTO_KINDS = ("jpeg", "png")
FINDING_EVIDENCE_KINDS = ("pdf", "jpeg", "png")
MAX_FILES = 10
PHOTO_HINT = "请上传 JPEG 或 PNG 格式的现场照片。"
EVIDENCE_HINT = "请上传 PDF 或照片（JPEG/PNG）格式的整改佐证材料。"
RESELECT = "提交未成功时浏览器不会保留已选的文件，请重新选择。"


def unit_choices(units) -> list[tuple[str, str]]:
    return [("", "选择责任单位"), *((str(unit.pk), unit.name) for unit in units)]


def choosable_units(extra_ids=()):
    """Active units in the city's order, and any already chosen (a unit deactivated since stays)."""
    return Unit.objects.filter(Q(active=True) | Q(pk__in=list(extra_ids))).in_city_order()


class InspectionForm(ChineseFormMixin, forms.ModelForm):
    class Meta:
        model = Inspection
        fields = ["kind", "date", "team", "units", "summary"]
        widgets = {
            "date": DateInput(),
            "units": forms.CheckboxSelectMultiple,
            "summary": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {"units": "本次督查、暗访或巡查到的单位，可多选。"}

    def __init__(self, *args, today=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today or timezone.localdate()
        chosen = list(self.instance.units.values_list("pk", flat=True)) if self.instance.pk else []
        self.fields["units"].queryset = choosable_units(chosen)
        self.fields["units"].error_messages["required"] = "请至少选择一个督查对象。"
        self.fields["kind"].choices = InspectionKind.choices

    def clean_date(self):
        day = self.cleaned_data["date"]
        if day > self.today:
            raise forms.ValidationError("督查日期不能晚于今天。")
        return day


class FindingForm(ChineseFormMixin, forms.Form):
    """One finding of the inspection. `units` ({pk: Unit}) is shared by every row of the formset,
    so a page of many findings reads the units once."""

    id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)
    unit = forms.ChoiceField(label="责任单位")
    problem = forms.CharField(label="发现的问题", max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
    major_hazard = forms.BooleanField(
        label="重大事故隐患（挂牌督办）",
        required=False,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )
    listing_level = forms.ChoiceField(
        label="挂牌督办级别", choices=[("", "—"), *ListingLevel.choices], required=False
    )
    deadline = forms.DateField(label="整改期限", widget=DateInput())
    photos = CheckedFilesField(
        label="问题照片",
        kinds=PHOTO_KINDS,
        hint=PHOTO_HINT,
        max_files=MAX_FILES,
        help_text="可多选，JPEG 或 PNG。",
    )

    def __init__(self, *args, units: dict, photos=(), inspection_date=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.units = units
        self.fields["unit"].choices = unit_choices(units.values())
        self.inspection_date = inspection_date
        self.existing_photos = list(photos)  # FindingFile rows, when editing
        if self.existing_photos:
            self.fields["remove_photos"] = self.chinese(
                forms.MultipleChoiceField(
                    label="删除照片",
                    choices=[(str(p.pk), p.name) for p in self.existing_photos],
                    required=False,
                    widget=forms.CheckboxSelectMultiple,
                )
            )
        if self.is_bound:
            self.fields["photos"].help_text = f"可多选，JPEG 或 PNG。{RESELECT}"

    def clean_unit(self):
        unit = self.units.get(int(self.cleaned_data["unit"]))
        if unit is None:
            raise forms.ValidationError("请选择责任单位。")
        return unit

    def clean(self):
        data = super().clean()
        if data.get("major_hazard") and not data.get("listing_level"):
            self.add_error("listing_level", "重大事故隐患须选择挂牌督办级别。")
        if not data.get("major_hazard"):
            data["listing_level"] = ""
        deadline, day = data.get("deadline"), self.inspection_date
        if deadline and day and deadline < day:
            self.add_error("deadline", f"整改期限不能早于督查日期（{day:%Y-%m-%d}）。")
        return data

    def as_input(self) -> FindingInput:
        data = self.cleaned_data
        return FindingInput(
            unit=data["unit"],
            problem=data["problem"],
            deadline=data["deadline"],
            major_hazard=data["major_hazard"],
            listing_level=data["listing_level"],
            photos=data["photos"],
            pk=data.get("id"),
            version=data.get("version"),
            delete=bool(data.get("DELETE")),
            remove_photos=[int(pk) for pk in data.get("remove_photos", [])],
        )


class BaseFindingFormSet(forms.BaseFormSet):
    def __init__(self, *args, units: dict, photos: dict | None = None, inspection_date=None, **kwargs):
        self.units, self.photos, self.inspection_date = units, photos or {}, inspection_date
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index):
        initial = (
            self.initial[index] if self.initial and index is not None and index < len(self.initial) else {}
        )
        return {
            "units": self.units,
            "photos": self.photos.get(initial.get("id"), ()),
            "inspection_date": self.inspection_date,
        }

    def inputs(self) -> list[FindingInput]:
        """The rows filled in (untouched blank rows are left out), as service inputs."""
        rows = []
        for form in self.forms:
            if not form.has_changed() and not form.cleaned_data.get("id"):
                continue
            if self.can_delete and self._should_delete_form(form) and not form.cleaned_data.get("id"):
                continue
            rows.append(form.as_input())
        return rows


FindingFormSet = forms.formset_factory(
    FindingForm, formset=BaseFindingFormSet, extra=1, can_delete=True, max_num=50, absolute_max=50
)


def finding_formset(data=None, files=None, *, inspection=None, findings=(), inspection_date=None):
    """The findings rows of the inspection form; with `findings`, one row per stored finding."""
    findings = list(findings)
    units = {unit.pk: unit for unit in choosable_units([f.unit_id for f in findings])}
    initial = [
        {
            "id": f.pk,
            "version": f.version,
            "unit": str(f.unit_id),
            "problem": f.problem,
            "major_hazard": f.major_hazard,
            "listing_level": f.listing_level,
            "deadline": f.deadline,
        }
        for f in findings
    ]
    photos = {f.pk: [p for p in f.files.all() if p.purpose == "photo"] for f in findings}
    formset = FindingFormSet(
        data,
        files,
        prefix="findings",
        initial=initial,
        units=units,
        photos=photos,
        inspection_date=inspection_date,
    )
    if findings:
        formset.extra = 0  # before the rows are built: editing starts from the stored findings only
    return formset


# --- rectification steps ---------------------------------------------------------------


class RectifyForm(ChineseFormMixin, forms.Form):
    rectification = forms.CharField(
        label="整改情况",
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="写明采取的措施、完成情况和长效机制。",
    )
    files = CheckedFilesField(
        label="整改佐证材料",
        kinds=FINDING_EVIDENCE_KINDS,
        hint=EVIDENCE_HINT,
        max_files=MAX_FILES,
        help_text="整改后照片、验收报告等，可多选；PDF、JPEG 或 PNG。",
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["version"].error_messages["required"] = "页面已过期，请刷新后再提交。"
        if self.is_bound:
            self.fields["files"].help_text += RESELECT


class RejectForm(ChineseFormMixin, forms.Form):
    reason = forms.CharField(
        label="退回理由",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="单位会看到这段话，请写明还需要怎样整改。",
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].error_messages["required"] = "退回时请填写退回理由，告诉单位还需要怎样整改。"
        self.fields["version"].error_messages["required"] = "页面已过期，请刷新后再提交。"


class StepForm(ChineseFormMixin, forms.Form):
    """核查通过, 验收通过 and 销号: only the version the page was built on."""

    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["version"].error_messages["required"] = "页面已过期，请刷新后再提交。"


# --- filters ---------------------------------------------------------------------------


class InspectionFilterForm(ChineseFormMixin, forms.Form):
    year = YearField(required=False, empty_label="全部年度")
    kind = forms.ChoiceField(
        label="方式", choices=[("", "全部方式"), *InspectionKind.choices], required=False
    )
    unit = forms.ModelChoiceField(
        label="单位", queryset=Unit.objects.none(), empty_label="全部单位", required=False
    )

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units

    def filter(self, inspections):
        if not self.is_valid():
            return inspections
        data = self.cleaned_data
        if data["year"]:
            inspections = inspections.filter(year=data["year"])
        if data["kind"]:
            inspections = inspections.filter(kind=data["kind"])
        if data["unit"]:
            unit = data["unit"]
            involved = Inspection.objects.filter(Q(units=unit) | Q(findings__unit=unit)).values("pk")
            inspections = inspections.filter(pk__in=involved)
        return inspections


OVERDUE = "overdue"


class FindingFilterForm(ChineseFormMixin, forms.Form):
    year = YearField(required=False, empty_label="全部年度")
    unit = forms.ModelChoiceField(
        label="责任单位", queryset=Unit.objects.none(), empty_label="全部单位", required=False
    )
    status = forms.ChoiceField(
        label="整改状态",
        choices=[("", "全部状态"), ("pending", "未办结"), *FindingStatus.choices, (OVERDUE, "逾期未整改")],
        required=False,
    )
    major = forms.BooleanField(
        label="仅看重大事故隐患",
        required=False,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        if units is None:
            del self.fields["unit"]
        else:
            self.fields["unit"].queryset = units

    def filter(self, findings, *, today):
        if not self.is_valid():
            return findings
        data = self.cleaned_data
        if data["year"]:
            findings = findings.filter(inspection__year=data["year"])
        if data.get("unit"):
            findings = findings.filter(unit=data["unit"])
        status = data["status"]
        if status == OVERDUE:
            findings = findings.overdue(today)
        elif status == "pending":
            findings = findings.unrectified()
        elif status:
            findings = findings.filter(status=status)
        if data["major"]:
            findings = findings.filter(major_hazard=True)
        return findings
