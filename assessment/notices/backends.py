"""The login backend: Django's ModelBackend, loading the user with what every page's frame needs.

A page's frame (the header, the navigation, the permission checks) costs three queries for a
city-wide user and four for a unit's people: the session, the user (with the bell's unread count
and whether they belong to any unit), the user's permissions with their group names, and, for
the unit's people only, their memberships for the navigation.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group, Permission
from django.db.models import CharField, Count, Exists, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce

from assessment.models import Notification
from responsibility.models import Membership

# The user's group names, loaded with the permissions; roles.city_roles reads them from here.
GROUP_NAMES_CACHE = "_group_names_cache"


def unread_count():
    """The user's unread notices, as a subquery on the (recipient, read_at) index."""
    unread = (
        Notification.objects.filter(recipient=OuterRef("pk"), read_at__isnull=True)
        .order_by()
        .values("recipient")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(unread, output_field=IntegerField()), 0)


def permission_rows(user):
    """(app label, codename, group name) rows: the user's own permissions with no group name
    (every permission for a superuser, as ModelBackend gives them), then one row per permission
    of each of the user's groups, and a row of (None, None, name) for a group without any: the
    groups are LEFT JOINed to their permissions, so such a group still counts as the user's."""
    own = Permission.objects.all() if user.is_superuser else Permission.objects.filter(user=user)
    own = own.order_by().values_list(
        "content_type__app_label", "codename", Value(None, output_field=CharField())
    )
    groups = (
        Group.objects.filter(user=user)
        .order_by()
        .values_list("permissions__content_type__app_label", "permissions__codename", "name")
    )
    return own.union(groups, all=True)


class InboxModelBackend(ModelBackend):
    """Every request loads its user here: the unread count and whether the user has memberships
    ride on that query, so the bell and the navigation cost no query of their own; permissions
    and group names come in one query, where ModelBackend takes two and the groups a third."""

    def get_user(self, user_id):
        users = get_user_model()._default_manager.annotate(
            unread_notifications=unread_count(),
            has_memberships=Exists(Membership.objects.filter(user=OuterRef("pk"))),
        )
        user = users.filter(pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None

    def _load_permissions(self, user_obj) -> None:
        """Fill ModelBackend's two permission caches, and the group names, from one query."""
        if hasattr(user_obj, "_user_perm_cache") and hasattr(user_obj, "_group_perm_cache"):
            return
        own, from_groups, names = set(), set(), set()
        for app_label, codename, group in permission_rows(user_obj):
            if group is None:
                own.add(f"{app_label}.{codename}")
            else:
                names.add(group)
                if codename is not None:
                    from_groups.add(f"{app_label}.{codename}")
        user_obj._user_perm_cache = own
        # A superuser holds every permission through their groups too, as with ModelBackend.
        user_obj._group_perm_cache = set(own) if user_obj.is_superuser else from_groups
        setattr(user_obj, GROUP_NAMES_CACHE, names)

    def get_user_permissions(self, user_obj, obj=None):
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        self._load_permissions(user_obj)
        return user_obj._user_perm_cache

    def get_group_permissions(self, user_obj, obj=None):
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        self._load_permissions(user_obj)
        return user_obj._group_perm_cache
