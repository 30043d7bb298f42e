"""Every POST needs the CSRF token: the URL table of tests/test_access.py, walked without one.

For each URL that accepts a POST, the role that may use it posts without a token and is refused
(403, Django's CSRF page) with nothing in the database changed; the same POST with the token gets
the answer the access table expects, so the refusal was the missing token and not the role.
"""

from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import connection, transaction
from django.test import Client, TestCase
from django.urls import reverse

from tests.test_access import EXPECTATIONS, LOGIN, AccessFixtures, RoleSessions, each_pdf_made_once

# Who posts to each URL: the first of these roles the table lets through (neither 403, 404 nor 405).
PREFERENCE = ["office", "reporter_a", "head_a", "inspector", "leader", "reporter_b"]
REFUSED = {403, 404, 405}
BODY = {"name": "x", "reason": "x", "code": "x", "text": "x", "rectification": "x", "version": "1"}
TOKEN = "Wuxi2026CsrfTestTokenAbcdefgh123"  # 32 characters: an unmasked secret, as the cookie holds


def poster(name: str, post_codes: dict) -> str | None:
    """The role that may POST to `name`, or None when nobody may (a GET-only URL)."""
    if name == "login":
        return "anonymous"
    for role in PREFERENCE:
        if post_codes[role] not in REFUSED:
            return role
    if post_codes["anonymous"] not in REFUSED | {LOGIN}:
        return "anonymous"
    return None


def post_urls(fixtures) -> list[tuple[str, str, str, int]]:
    """(url name, path, role, the answer the table expects with a token) for every POST URL."""
    rows = []
    for name, (kwargs, _get_codes, post_codes) in EXPECTATIONS.items():
        role = poster(name, post_codes)
        if role is not None:
            rows.append(
                (name, reverse(name, kwargs=kwargs(fixtures) if kwargs else None), role, post_codes[role])
            )
    return rows


def database_state() -> dict:
    """Every row of every table but the sessions' (each request renews its own), to compare: the
    rows as the database stores them, the many-to-many tables included, sorted."""
    state = {}
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            if table != Session._meta.db_table:
                cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
                state[table] = sorted(map(repr, cursor.fetchall()))
    return state


class CsrfTests(AccessFixtures, TestCase):
    def setUp(self):
        self.client = Client(enforce_csrf_checks=True)
        self.sessions = RoleSessions(self.client, self.users)
        self.enterContext(each_pdf_made_once())

    def post(self, role: str, path: str, data=None, *, token: str | None = None, cookie: str | None = None):
        """POST as `role` in a transaction that is rolled back; returns the response and whether
        the database changed."""
        self.sessions.use(role)  # logged in (or out) with no CSRF cookie
        if cookie:
            self.client.cookies[settings.CSRF_COOKIE_NAME] = cookie
        with transaction.atomic():
            before = database_state()
            headers = {"X-CSRFToken": token} if token else {}
            response = self.client.post(path, data or {}, headers=headers)
            changed = database_state() != before
            transaction.set_rollback(True)
        return response, changed

    def assertCsrfRefused(self, response, changed: bool):
        self.assertEqual(response.status_code, 403)
        self.assertContains(response, "CSRF", status_code=403)
        self.assertFalse(changed, "a POST refused for its missing token changed the database")

    def test_the_walk_covers_every_url_that_takes_a_post(self):
        names = {name for name, *_ in post_urls(self)}
        # Spot checks that the role picker found someone for the actions of each kind of page.
        for name in [
            "login",
            "logout",
            "password_change",
            "responsibility:unit_create",
            "responsibility:letter_sign",
            "assessment:report_entry",
            "assessment:report_import",
            "assessment:accident_import",
            "assessment:inspection_create",
            "assessment:finding_rectify",
            "assessment:circular_publish",
            "assessment:inbox_read_all",
            "responsibility:person_reset_password",
        ]:
            self.assertIn(name, names)
        # GET-only pages are not posted to.
        self.assertNotIn("assessment:finding_file", names)
        self.assertNotIn("assessment:accident_import_template", names)
        self.assertGreater(len(names), 60)

    def test_every_post_without_the_token_is_refused_and_changes_nothing(self):
        for name, path, role, _ in post_urls(self):
            with self.subTest(url=name, role=role):
                # With something in the fields that many forms need (a reason, a name), so that a
                # view which skipped the check would have had something to save.
                self.assertCsrfRefused(*self.post(role, path, BODY))

    def test_a_token_that_does_not_match_the_cookie_is_refused(self):
        for name, path, role, _ in post_urls(self):
            with self.subTest(url=name, role=role):
                self.assertCsrfRefused(*self.post(role, path, token="x" * 32, cookie=TOKEN))

    def test_with_the_token_each_post_gets_the_answer_of_the_access_table(self):
        for name, path, role, expected in post_urls(self):
            with self.subTest(url=name, role=role):
                # Empty, as the access table posts.
                response, _ = self.post(role, path, token=TOKEN, cookie=TOKEN)
                self.assertEqual(response.status_code, expected)

    def test_the_admin_login_needs_the_token_too(self):
        response, changed = self.post("anonymous", "/admin/login/")
        self.assertCsrfRefused(response, changed)
