"""Every page carries the Content-Security-Policy and needs no inline script to work under it.

The policy (settings.CONTENT_SECURITY_POLICY) allows scripts from this site's files only: a page
with an inline <script> or an on…= handler would break in the browser. The browser journeys
(tests/e2e) fail on any violation the browser logs; this walks every page of the access table as
the 安委办 and a reporter, without a browser.
"""

import re

from django.conf import settings
from django.test import TestCase, override_settings
from django.urls import reverse

from tests.test_access import EXPECTATIONS, AccessFixtures, RoleSessions

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.IGNORECASE)
INLINE_HANDLER = re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.IGNORECASE)
JAVASCRIPT_URL = re.compile(r"(?:href|src|action)\s*=\s*[\"']?\s*javascript:", re.IGNORECASE)


class ContentSecurityPolicyTests(AccessFixtures, TestCase):
    def test_the_policy_allows_this_sites_scripts_only(self):
        policy = dict(part.strip().split(" ", 1) for part in settings.CONTENT_SECURITY_POLICY.split(";"))
        self.assertEqual(policy["script-src"], "'self'")
        self.assertEqual(policy["default-src"], "'self'")
        self.assertEqual(policy["object-src"], "'none'")
        self.assertEqual(policy["frame-ancestors"], "'none'")

    def test_every_page_carries_the_policy_and_has_no_inline_script(self):
        sessions = RoleSessions(self.client, self.users)
        walked = 0
        for name, (kwargs, get_codes, _) in EXPECTATIONS.items():
            url = reverse(name, kwargs=kwargs(self) if kwargs else None)
            for role in ("office", "reporter_a", "anonymous"):
                if get_codes[role] not in (200, 404):
                    continue
                with self.subTest(url=name, role=role):
                    sessions.use(role)
                    response = self.client.get(url)
                    self.assertEqual(response["Content-Security-Policy"], settings.CONTENT_SECURITY_POLICY)
                    if not response.get("Content-Type", "").startswith("text/html"):
                        continue
                    content = response.content.decode()
                    self.assertIsNone(INLINE_SCRIPT.search(content))
                    self.assertIsNone(INLINE_HANDLER.search(content))
                    self.assertIsNone(JAVASCRIPT_URL.search(content))
                    walked += 1
        self.assertGreater(walked, 80)  # every HTML page of the table, for one role or another

    def test_the_policy_can_be_set_for_a_site(self):
        with override_settings(
            CONTENT_SECURITY_POLICY="default-src 'self'; img-src 'self' https://tiles.example"
        ):
            response = self.client.get(reverse("login"))
        self.assertEqual(
            response["Content-Security-Policy"], "default-src 'self'; img-src 'self' https://tiles.example"
        )


class RequestSizeTests(TestCase):
    @override_settings(MAX_REQUEST_BYTES=1024)
    def test_a_request_over_the_limit_is_refused_before_it_is_read(self):
        response = self.client.post(reverse("login"), {"username": "x", "password": "y" * 2000})
        self.assertEqual(response.status_code, 413)
        self.assertContains(response, "一次提交（含附件）不能超过 1.0\xa0KB", status_code=413)

    @override_settings(MAX_REQUEST_BYTES=1024)
    def test_a_request_under_the_limit_goes_through(self):
        response = self.client.post(reverse("login"), {"username": "x", "password": "y"})
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "用户名或密码不正确")

    def test_the_limits_are_set(self):
        self.assertEqual(settings.MAX_REQUEST_BYTES, 210 * 1024 * 1024)
        self.assertEqual(settings.DATA_UPLOAD_MAX_MEMORY_SIZE, 5 * 1024 * 1024)
