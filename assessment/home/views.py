"""The first page after login, for each role: what is owed, what waits, who is in trouble."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone

from responsibility import roles
from responsibility.models import Year

from . import queries


@login_required
def home(request):
    """The first page after login answers the person's question of the day."""
    today = timezone.localdate()
    year = Year.objects.current(today)
    context = {"today": today, "year": year}
    if year:
        deadline = year.next_deadline(today)
        if deadline:
            quarter, due = deadline
            context.update(quarter=quarter, due=due, days_left=(due - today).days)
    user = request.user
    if roles.can_manage(user):
        context["setup"] = queries.setup_status()
        context["waiting"] = queries.waiting_for_office(today)
    if roles.sees_all_units(user):
        context["unit_counts"] = queries.unit_counts()
        if year:
            context["letter_progress"] = queries.letter_progress(year, today)
    if year and user.memberships.exists():
        context["my_letters"] = queries.my_letters(user, year, today)
        context["my_quarters"] = queries.my_quarters(user, year, today)
    if roles.can_inspect(user):
        context["findings_waiting"] = queries.findings_waiting(today)
    elif not roles.sees_all_units(user):
        context["my_findings"] = {"rows": queries.my_findings(user, today)}
    return render(request, "assessment/home.html", context)
