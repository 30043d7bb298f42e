from django.conf import settings

from . import roles


def site(request):
    """The product's name and the user's roles, for the base layout's header and navigation."""
    user = request.user
    context = {
        "CITY_NAME": settings.CITY_NAME,
        "OFFICE_NAME": settings.OFFICE_NAME,
        "PRODUCT_NAME": f"{settings.CITY_NAME}安全生产责任考核平台",
    }
    if user.is_authenticated:
        memberships = list(user.memberships.select_related("unit"))
        context.update(
            nav_can_manage=roles.can_manage(user),
            nav_sees_all=roles.sees_all_units(user),
            nav_city_roles=roles.city_roles(user),
            nav_memberships=memberships,
        )
    return context
