"""City-wide roles. Each is a Django group with permissions; unit roles are memberships.

The groups and their permissions are kept in step with this file after every migrate
(see apps.py), so a fresh database always has them.
"""

OFFICE = "安委办"
LEADER = "市领导"
INSPECTOR = "督查员"
CITY_ROLES = [OFFICE, LEADER, INSPECTOR]

# Permissions that say what a role may do; views check these, never group names.
MANAGE = "responsibility.manage_setup"  # units, people, years and the indicator catalog
VIEW_ALL_UNITS = "responsibility.view_all_units"
INSPECT = "responsibility.record_inspections"  # inspections, their findings, verifying rectification

GROUP_PERMISSIONS = {
    OFFICE: [MANAGE, VIEW_ALL_UNITS, INSPECT],
    LEADER: [VIEW_ALL_UNITS],
    INSPECTOR: [VIEW_ALL_UNITS, INSPECT],
}


def sees_all_units(user) -> bool:
    return user.is_authenticated and user.has_perm(VIEW_ALL_UNITS)


def can_manage(user) -> bool:
    return user.is_authenticated and user.has_perm(MANAGE)


def can_inspect(user) -> bool:
    return user.is_authenticated and user.has_perm(INSPECT)


def city_roles(user) -> list[str]:
    """The user's city-wide role names: from the group names the login backend loaded with the
    permissions (assessment/backends.py) when a permission check came first, else from the groups."""
    if not user.is_authenticated:
        return []
    names = getattr(user, "_group_names_cache", None)
    if names is None:
        names = {group.name for group in user.groups.all()}
    return [role for role in CITY_ROLES if role in names]


def sync_role_groups(**kwargs) -> None:
    """Create the role groups and give each exactly its permissions (idempotent)."""
    from django.contrib.auth.models import Group, Permission
    from django.contrib.contenttypes.models import ContentType

    from .models import Unit

    unit_type = ContentType.objects.get_for_model(Unit)
    perms = {}
    for codename, name in [
        ("manage_setup", "管理单位、人员、年度和指标库"),
        ("view_all_units", "查看全部单位"),
        ("record_inspections", "记录督查、问题隐患并核查整改"),
    ]:
        perm, _ = Permission.objects.get_or_create(
            content_type=unit_type, codename=codename, defaults={"name": name}
        )
        perms[f"responsibility.{codename}"] = perm
    for role, wanted in GROUP_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role)
        group.permissions.set([perms[p] for p in wanted])


def is_member(user, unit_id: int) -> bool:
    """Whether the user is a reporter or head of the unit."""
    return user.is_authenticated and user.memberships.filter(unit_id=unit_id).exists()


def can_sign_for(user, unit_id: int) -> bool:
    """The unit records its own signature; the 安委办 may record it for them (e.g. from paper)."""
    return can_manage(user) or is_member(user, unit_id)
