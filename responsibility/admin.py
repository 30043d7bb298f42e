from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from simple_history.admin import SimpleHistoryAdmin

from .models import Indicator, Membership, Unit, User, Year


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["unit"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        ("单位平台", {"fields": ("name", "phone", "must_change_password")}),
    )
    list_display = ["username", "name", "email", "is_active", "is_staff"]
    search_fields = ["username", "name", "email"]
    inlines = [MembershipInline]


@admin.register(Unit)
class UnitAdmin(SimpleHistoryAdmin):
    list_display = ["name", "code", "kind", "leader_name", "deputy_name", "sort_order", "active"]
    list_filter = ["kind", "active"]
    search_fields = ["name", "code"]


@admin.register(Year)
class YearAdmin(SimpleHistoryAdmin):
    list_display = ["year", "status", "q1_deadline", "q4_deadline"]


@admin.register(Indicator)
class IndicatorAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name", "category", "rule", "source", "active"]
    list_filter = ["rule", "source", "active"]
    search_fields = ["code", "name"]


@admin.register(Membership)
class MembershipAdmin(SimpleHistoryAdmin):
    list_display = ["user", "unit", "role"]
    list_select_related = ["user", "unit"]
