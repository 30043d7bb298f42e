"""Forms of the 通报 pages: the list's filters, a new draft, editing, and the version-checked actions."""

from django import forms

from assessment.models import PERIODS, Circular, CircularKind, CircularStatus
from responsibility.forms import ChineseFormMixin
from responsibility.models import Year


class CircularFilterForm(ChineseFormMixin, forms.Form):
    year = forms.ModelChoiceField(
        label="年度", queryset=Year.objects.none(), empty_label="全部年度", required=False
    )
    kind = forms.ChoiceField(label="类型", choices=[("", "全部类型"), *CircularKind.choices], required=False)
    status = forms.ChoiceField(
        label="状态", choices=[("", "全部状态"), *CircularStatus.choices], required=False
    )

    def __init__(self, *args, with_status: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].queryset = Year.objects.order_by("-year")
        self.fields["year"].to_field_name = "year"
        if not with_status:
            del self.fields["status"]  # only the 安委办 has drafts to tell apart

    def filter(self, circulars):
        if not self.is_valid():
            return circulars
        data = self.cleaned_data
        if data["year"]:
            circulars = circulars.filter(year=data["year"])
        if data["kind"]:
            circulars = circulars.filter(kind=data["kind"])
        if data.get("status"):
            circulars = circulars.filter(status=data["status"])
        return circulars


class CircularCreateForm(ChineseFormMixin, forms.Form):
    kind = forms.ChoiceField(label="通报类型", choices=CircularKind.choices, widget=forms.RadioSelect)
    year = forms.ModelChoiceField(label="年度", queryset=Year.objects.none(), empty_label="选择年度")
    period = forms.TypedChoiceField(label="期间", choices=PERIODS, coerce=int)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].queryset = Year.objects.order_by("-year")
        self.fields["year"].to_field_name = "year"
        self.fields["kind"].error_messages["required"] = "请选择通报类型。"
        self.fields["year"].error_messages.update(
            required="请选择年度。", invalid_choice="没有这个考核年度，请重新选择。"
        )
        self.fields["period"].error_messages.update(
            required="请选择期间。", invalid_choice="期间须为全年或某一季度。"
        )
        self.fields["kind"].widget.attrs["class"] = "form-check-input"


class VersionForm(forms.Form):
    """What a POST action on a draft carries: the version the page was built on."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class CircularEditForm(ChineseFormMixin, forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    class Meta:
        model = Circular
        fields = ["title", "body"]
        widgets = {"body": forms.Textarea(attrs={"rows": 22})}
        help_texts = {
            "body": "段落之间空一行；以“一、”“二、”开头的短段落印作小标题。下方的数据表按起草时的数据生成，不随正文修改。",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial["version"] = self.instance.version
        self.fields["title"].error_messages["max_length"] = "标题不能超过 200 字。"

    def clean_title(self):
        return " ".join(self.cleaned_data["title"].split())
