"""responsibility/access.py: the role decorator keeps the view's identity; the year lookup is a 404
for anything that is not a year."""

from django.http import Http404
from django.test import RequestFactory, TestCase

from responsibility.access import get_year, manager_required
from tests.factories import make_year


@manager_required
def sample_view(request, pk):
    """命名的视图。"""
    return pk


class ManagerRequiredTests(TestCase):
    def test_the_decorated_view_keeps_its_name_module_and_doc(self):
        self.assertEqual(sample_view.__name__, "sample_view")
        self.assertEqual(sample_view.__module__, __name__)
        self.assertEqual(sample_view.__doc__, "命名的视图。")

    def test_an_anonymous_request_goes_to_the_login_page(self):
        from django.contrib.auth.models import AnonymousUser

        request = RequestFactory().get("/x/")
        request.user = AnonymousUser()
        response = sample_view(request, 1)
        self.assertEqual(response.status_code, 302)
        self.assertIn("/accounts/login/", response["Location"])


class GetYearTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.year = make_year(2026)

    def test_a_year_by_its_number_as_int_or_text(self):
        self.assertEqual(get_year(2026), self.year)
        self.assertEqual(get_year("2026"), self.year)

    def test_no_such_year_or_no_number_is_a_404(self):
        for value in (2025, "二〇二六", "", None, "2026; drop"):
            with self.subTest(value=value), self.assertRaises(Http404):
                get_year(value)
