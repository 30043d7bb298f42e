"""Writes with more than one row or a side effect: people and passwords, catalog weights."""

import secrets

from django.db import transaction

from .models import Indicator, Membership, Unit, User

# No look-alikes (0/O, 1/l/I): the password is read aloud or copied from a WeChat message.
PASSWORD_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789"


def one_time_password(length: int = 10) -> str:
    return "".join(secrets.choice(PASSWORD_ALPHABET) for _ in range(length))


@transaction.atomic
def create_person(form, *, unit: Unit | None = None, unit_role: str = "") -> tuple[User, str]:
    """Save a new person from a valid PersonForm with a one-time password; return both."""
    user = form.save(commit=False)
    password = one_time_password()
    user.set_password(password)
    user.must_change_password = True
    user.save()
    form.save_roles(user)
    if unit is not None:
        Membership.objects.create(user=user, unit=unit, role=unit_role)
    return user, password


def reset_password(user: User) -> str:
    """Give the user a new one-time password that must be changed at the next login."""
    password = one_time_password()
    user.set_password(password)
    user.must_change_password = True
    user.save(update_fields=["password", "must_change_password"])
    return password


def change_own_password(user: User, form) -> User:
    """Save the new password from a valid SetPasswordForm and clear the one-time flag."""
    user = form.save(commit=False)
    user.must_change_password = False
    user.save(update_fields=["password", "must_change_password"])
    return user


def set_unit_active(unit: Unit, *, active: bool) -> Unit:
    """Deactivating keeps the unit and all its history; it only leaves the working lists."""
    unit.active = active
    unit.save(update_fields=["active", "updated_at"])
    return unit


@transaction.atomic
def save_weights(indicators: list[Indicator]) -> int:
    """Save changed catalog weights one by one, so each change is in the indicator's history."""
    for indicator in indicators:
        indicator.save(update_fields=["weights", "updated_at"])
    return len(indicators)
