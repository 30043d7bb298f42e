"""Logging in, passwords, and the 安委办's management of people and their memberships."""

from axes.handlers.proxy import AxesProxyHandler
from django.contrib import messages
from django.contrib.auth import logout, update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.signals import user_login_failed
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from . import roles, services
from .access import manager_required
from .account_forms import (
    CurrentPasswordChangeForm,
    LoginForm,
    MembershipForm,
    NewPersonForm,
    PasswordChangeForm,
    PersonFilterForm,
    PersonForm,
)
from .history import history_rows
from .models import Membership, MembershipRole, User
from .tables import PersonTable, table_page


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    redirect_authenticated_user = True


@login_required
def password_change(request):
    # The one-time password was proven by logging in a moment ago; one's own is asked for again.
    form_class = PasswordChangeForm if request.user.must_change_password else CurrentPasswordChangeForm
    form = form_class(request.user, request.POST or None)
    if form.is_bound and form.has_error("old_password", "password_incorrect"):
        # A wrong current password counts toward the login lockout: a session left open is no
        # way round it. At the limit the session ends and the locked page says for how long.
        credentials = {"username": request.user.username}
        user_login_failed.send(sender=form_class, credentials=credentials, request=request)
        if not AxesProxyHandler.is_allowed(request, credentials):
            logout(request)
            return render(request, "registration/locked_out.html", status=429)
    if form.is_valid():
        user = services.change_own_password(request.user, form)
        update_session_auth_hash(request, user)
        messages.success(request, "密码已修改，请牢记新密码。")
        return redirect("home")
    return render(
        request,
        "registration/password_change.html",
        {"form": form, "forced": request.user.must_change_password},
    )


# --- people (安委办 only) ---------------------------------------------------------------


def _people():
    return User.objects.prefetch_related(
        Prefetch(
            "memberships", queryset=Membership.objects.select_related("unit").order_by("unit__sort_order")
        ),
        "groups",
    )


def _get_person_for_user(request, pk: int) -> User:
    """People are managed by the 安委办 only (checked by the decorator); others never get here."""
    return get_object_or_404(_people(), pk=pk)


@manager_required
def person_list(request):
    form = PersonFilterForm(request.GET)
    people = form.filter(_people().order_by("-is_active", "username"))
    return table_page(
        request, PersonTable(people), "responsibility/person_list.html", {"form": form}, export_name="用户"
    )


@manager_required
def person_create(request):
    form = NewPersonForm(request.POST or None)
    if form.is_valid():
        user, password = services.create_person(
            form, unit=form.cleaned_data["unit"], unit_role=form.cleaned_data["unit_role"]
        )
        messages.success(
            request,
            f"已新增用户 {user.username}（{user.name}）。一次性密码：{password} —— 请转告本人，首次登录须修改。",
        )
        return redirect(user)
    return render(request, "responsibility/person_form.html", {"form": form})


def _person_page(request, person: User, membership_form: MembershipForm):
    history = history_rows(
        Membership.history.filter(user_id=person.pk).select_related("unit", "history_user"),
        describe=lambda h: f"{h.unit.name} · {dict(MembershipRole.choices)[h.role]}",
    )
    return render(
        request,
        "responsibility/person_detail.html",
        {
            "person": person,
            "membership_form": membership_form,
            "city_roles": roles.city_roles(person),
            "history": history,
        },
    )


@manager_required
def person_detail(request, pk: int):
    person = _get_person_for_user(request, pk)
    return _person_page(request, person, MembershipForm(user=person))


@manager_required
def person_edit(request, pk: int):
    person = _get_person_for_user(request, pk)
    form = PersonForm(request.POST or None, instance=person)
    if form.is_valid():
        person = form.save()
        form.save_roles(person)
        messages.success(request, f"已保存{person.name}的信息。")
        return redirect(person)
    return render(request, "responsibility/person_form.html", {"form": form, "person": person})


@require_POST
@manager_required
def person_reset_password(request, pk: int):
    person = _get_person_for_user(request, pk)
    password = services.reset_password(person)
    messages.success(request, f"已为 {person.username} 重置密码。一次性密码：{password} —— 首次登录须修改。")
    return redirect(person)


@require_POST
@manager_required
def person_set_active(request, pk: int):
    person = _get_person_for_user(request, pk)
    if person == request.user:
        messages.error(request, "不能停用自己的账号。")
        return redirect(person)
    person.is_active = request.POST.get("active") == "1"
    person.save(update_fields=["is_active"])
    messages.success(request, f"已{'启用' if person.is_active else '停用'}账号 {person.username}。")
    return redirect(person)


@require_POST
@manager_required
def membership_add(request, pk: int):
    person = _get_person_for_user(request, pk)
    form = MembershipForm(request.POST, user=person)
    if form.is_valid():
        membership = form.save()
        messages.success(request, f"已将{person}加入{membership.unit}（{membership.get_role_display()}）。")
        return redirect(person)
    return _person_page(request, person, form)


@require_POST
@manager_required
def membership_remove(request, pk: int, membership_pk: int):
    person = _get_person_for_user(request, pk)
    membership = get_object_or_404(person.memberships.select_related("unit"), pk=membership_pk)
    membership.delete()
    messages.success(request, f"已将{person}移出{membership.unit}。")
    return redirect(person)
