"""The access table cannot miss a view: a URL added without an entry in it fails the suite.

This module is also a URLconf: the project's URLs plus one throwaway view with no gate at all. With
it as ROOT_URLCONF, tests/test_access.py's own check must name the throwaway URL.
"""

from django.http import HttpResponse
from django.test import SimpleTestCase, override_settings
from django.urls import include, path

from tests import test_access  # the module, not its TestCase: pytest would collect that again here
from wuxisafety import urls as project_urls


def ungated(request):
    return HttpResponse("无人把关")


urlpatterns = [
    *project_urls.urlpatterns,
    path("throwaway/", ungated, name="throwaway"),
    path("extra/", include(([path("page/", ungated, name="page")], "extra"))),
]


class AccessTableTests(SimpleTestCase):
    def table_check(self):
        """tests/test_access.py's check that every URL is in the table, run as it runs there."""
        check = test_access.AccessTests("test_every_url_is_in_the_expectation_table")
        check.test_every_url_is_in_the_expectation_table()

    @override_settings(ROOT_URLCONF=__name__)
    def test_a_url_added_without_an_entry_is_reported_by_name(self):
        self.assertIn("throwaway", set(test_access.named_patterns()))
        with self.assertRaises(AssertionError) as caught:
            self.table_check()
        message = str(caught.exception)
        self.assertIn("'extra:page'", message)
        self.assertIn("'throwaway'", message)
        self.assertIn("add these URLs to tests/test_access.py EXPECTATIONS", message)

    def test_the_walker_sees_namespaced_urls_and_leaves_out_the_admin(self):
        names = set(test_access.named_patterns())
        self.assertIn("assessment:finding_rectify", names)
        self.assertIn("responsibility:letter_sign", names)
        self.assertFalse(any(name.startswith("admin:") for name in names))
        self.assertEqual(names, set(test_access.EXPECTATIONS))
