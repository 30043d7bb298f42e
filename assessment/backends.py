"""The login backend: Django's ModelBackend, loading the user with the bell's unread count."""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce

from .models import Notification


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


class InboxModelBackend(ModelBackend):
    """Every request loads its user here: the unread count rides on that query, so the bell in
    the page header costs no query of its own."""

    def get_user(self, user_id):
        users = get_user_model()._default_manager.annotate(unread_notifications=unread_count())
        user = users.filter(pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None
