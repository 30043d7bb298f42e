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
        # Tables render their own templates with this request, so compute the navigation once.
        if not hasattr(request, "_nav"):
            request._nav = {
                "nav_can_manage": roles.can_manage(user),
                "nav_sees_all": roles.sees_all_units(user),
                "nav_city_roles": roles.city_roles(user),
                # The login backend says whether there are any (a city-wide user has none);
                # a user loaded another way (no such attribute) is asked.
                "nav_memberships": list(user.memberships.select_related("unit"))
                if getattr(user, "has_memberships", True)
                else [],
            }
        context.update(request._nav)
    return context
