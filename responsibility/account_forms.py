"""Forms of accounts: logging in, changing a password, and the people of the units with their memberships."""

from django import forms
from django.contrib.auth import forms as auth_forms
from django.contrib.auth.forms import AuthenticationForm, SetPasswordForm
from django.contrib.auth.models import Group
from django.db.models import Q

from . import roles
from .forms import ChineseFormMixin
from .models import (
    Membership,
    MembershipRole,
    Unit,
    User,
)

# --- login and passwords ---------------------------------------------------------------


class LoginForm(ChineseFormMixin, AuthenticationForm):
    error_messages = {
        "invalid_login": "用户名或密码不正确。连续 5 次输错将锁定 15 分钟。",
        "inactive": "该账号已停用，请联系安委办。",
    }


class NewPasswordMixin:
    """The new password must differ from the one the person has now (one-time or chosen)."""

    def clean_new_password1(self):
        password = self.cleaned_data.get("new_password1")
        if password and self.user.check_password(password):
            raise forms.ValidationError("新密码不能与当前密码相同。", code="password_unchanged")
        return password


class PasswordChangeForm(NewPasswordMixin, ChineseFormMixin, SetPasswordForm):
    """The user sets a new password; the one-time password was proven by logging in."""


class CurrentPasswordChangeForm(NewPasswordMixin, ChineseFormMixin, auth_forms.PasswordChangeForm):
    """Changing a password one chose oneself asks for it first: a session left open is not enough."""

    error_messages = {
        **auth_forms.PasswordChangeForm.error_messages,
        "password_incorrect": "当前密码不正确，请重新输入。",
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["old_password"].label = "当前密码"
        self.chinese(self.fields["old_password"])


# --- people ----------------------------------------------------------------------------


class PersonForm(ChineseFormMixin, forms.ModelForm):
    city_roles = forms.MultipleChoiceField(
        label="市级角色",
        choices=[(role, role) for role in roles.CITY_ROLES],
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="安委办可管理全部设置；市领导只读；督查员负责督查。",
    )

    class Meta:
        model = User
        fields = ["username", "name", "email", "phone"]
        labels = {"username": "登录名", "email": "电子邮箱"}
        help_texts = {"username": "字母、数字或 @.+-_，用于登录。"}
        error_messages = {"username": {"unique": "该登录名已被使用。"}}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["name"].required = True
        self.fields["name"].error_messages["required"] = "请填写姓名。"
        if self.instance.pk:
            self.fields["city_roles"].initial = roles.city_roles(self.instance)

    def save_roles(self, user: User) -> None:
        wanted = set(self.cleaned_data["city_roles"])
        groups = Group.objects.filter(name__in=roles.CITY_ROLES)
        user.groups.remove(*[g for g in groups if g.name not in wanted])
        user.groups.add(*[g for g in groups if g.name in wanted])


class NewPersonForm(PersonForm):
    """A new person: optionally placed in a unit straight away."""

    unit = forms.ModelChoiceField(
        label="所属单位", queryset=Unit.objects.none(), required=False, empty_label="（不属于单位）"
    )
    unit_role = forms.ChoiceField(label="单位角色", choices=MembershipRole.choices, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = Unit.objects.active().in_city_order()

    def clean(self):
        data = super().clean()
        if data.get("unit") and not data.get("unit_role"):
            self.add_error("unit_role", "请选择此人在单位中的角色。")
        if not data.get("unit") and not data.get("city_roles"):
            self.add_error("unit", "请选择所属单位，或勾选一个市级角色。")
        return data


class PersonFilterForm(ChineseFormMixin, forms.Form):
    q = forms.CharField(label="搜索", required=False)
    role = forms.ChoiceField(
        label="角色",
        choices=[("", "全部角色"), *[(r, r) for r in roles.CITY_ROLES], *MembershipRole.choices],
        required=False,
    )
    unit = forms.ModelChoiceField(
        label="单位", queryset=Unit.objects.none(), required=False, empty_label="全部单位"
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = Unit.objects.in_city_order()

    def filter(self, people):
        if not self.is_valid():
            return people
        data = self.cleaned_data
        if data["q"]:
            people = people.filter(Q(name__contains=data["q"]) | Q(username__icontains=data["q"]))
        if data["role"] in roles.CITY_ROLES:
            people = people.filter(groups__name=data["role"])
        elif data["role"]:
            people = people.filter(memberships__role=data["role"])
        if data["unit"]:
            people = people.filter(memberships__unit=data["unit"])
        return people.distinct()


class MembershipForm(ChineseFormMixin, forms.ModelForm):
    class Meta:
        model = Membership
        fields = ["unit", "role"]

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.user = user
        self.fields["unit"].queryset = Unit.objects.active().in_city_order()
        self.fields["unit"].empty_label = "请选择单位"
        self.fields["role"].choices = [("", "请选择角色"), *MembershipRole.choices]

    def validate_unique(self):
        # The user is set on the instance, not a form field, so check the pair ourselves.
        unit = self.cleaned_data.get("unit")
        if unit and Membership.objects.filter(user=self.instance.user, unit=unit).exists():
            self.add_error("unit", f"此人已是{unit}的成员。")
