"""Every URL, every role, GET and POST, against one expectation table.

A URL that is not in the table fails the test: each new page must say who may use it. Unit
scoped objects of another unit are a 404 (never a 403 that confirms they exist); setup pages
that only the 安委办 may use are a 403 for everyone else; anonymous users go to the login page.
"""

from contextlib import contextmanager
from datetime import date
from http.cookies import SimpleCookie
from unittest import mock

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.test import TestCase
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from assessment.exports.services import build as build_year_export
from assessment.models import (
    Accident,
    AccidentExemption,
    Adjustment,
    Circular,
    CircularKind,
    CircularStatus,
    Deduction,
    Evidence,
    Finding,
    FindingFile,
    Inspection,
    Notification,
    ReportStatus,
    YearExport,
)
from responsibility import documents, roles
from responsibility.models import LetterStatus, LetterVersion, Membership

from .assessment.factories import at, make_report
from .factories import make_indicator, make_letter, make_target, make_unit, make_user, make_year

ROLES = ["anonymous", "reporter_a", "head_a", "reporter_b", "inspector", "leader", "office"]

# Shorthands for the common rows. Each maps a role to the expected status code.
LOGIN = 302  # anonymous: redirected to the login page


def everyone(code: int, *, anonymous: int = LOGIN) -> dict:
    return {role: code for role in ROLES} | {"anonymous": anonymous}


def office_only(office: int, *, others: int = 403) -> dict:
    return everyone(others) | {"office": office}


NOT_ALLOWED = dict.fromkeys(ROLES, 405)  # e.g. GET on a POST-only action


# url name → (kwargs from the fixture objects, GET expectations, POST expectations)
EXPECTATIONS = {
    "home": (None, everyone(200), everyone(200)),
    "login": (None, everyone(302, anonymous=200), everyone(302, anonymous=200)),
    "logout": (None, NOT_ALLOWED, everyone(302, anonymous=302)),
    "password_change": (None, everyone(200), everyone(200)),
    # the site's icon, for pages that name none: no data, so anyone, signed in or not
    "favicon": (None, everyone(301, anonymous=301), everyone(301, anonymous=301)),
    # Units: everyone reads the units they may see; only the 安委办 changes them.
    "responsibility:unit_list": (None, everyone(200), everyone(200)),
    "responsibility:unit_create": (None, office_only(200), office_only(200)),
    "responsibility:unit_detail": (
        lambda o: {"pk": o.unit_a.pk},
        everyone(200) | {"reporter_b": 404},
        everyone(200) | {"reporter_b": 404},
    ),
    "responsibility:unit_edit": (
        lambda o: {"pk": o.unit_a.pk},
        office_only(200) | {"reporter_b": 404},
        office_only(200) | {"reporter_b": 404},
    ),
    "responsibility:unit_set_active": (
        lambda o: {"pk": o.unit_a.pk},
        NOT_ALLOWED,
        office_only(302) | {"reporter_b": 404},
    ),
    # Years and the catalog are city-wide reference data: all read, the 安委办 writes.
    "responsibility:year_list": (None, everyone(200), everyone(200)),
    "responsibility:year_create": (None, office_only(200), office_only(200)),
    "responsibility:year_detail": (lambda o: {"year": 2026}, everyone(200), everyone(200)),
    "responsibility:year_edit": (lambda o: {"year": 2026}, office_only(200), office_only(200)),
    "responsibility:indicator_list": (None, everyone(200), everyone(200)),
    "responsibility:indicator_create": (None, office_only(200), office_only(200)),
    "responsibility:indicator_edit": (lambda o: {"pk": o.indicator.pk}, everyone(200), office_only(200)),
    "responsibility:indicator_weights": (lambda o: {"kind": "district"}, office_only(200), office_only(200)),
    # Letters: each unit its own; leaders and inspectors read all; the 安委办 prepares, issues, amends.
    "responsibility:letter_list": (None, everyone(200), everyone(200)),
    "responsibility:letter_prepare": (None, office_only(200), office_only(200)),
    "responsibility:letter_issue_all": (None, NOT_ALLOWED, office_only(404)),  # no year posted
    "responsibility:letter_detail": (
        lambda o: {"pk": o.letter_a.pk},
        *[everyone(200) | {"reporter_b": 404}] * 2,
    ),
    "responsibility:letter_targets": (
        lambda o: {"pk": o.letter_a.pk},
        *[office_only(200) | {"reporter_b": 404}] * 2,
    ),
    "responsibility:letter_issue": (
        lambda o: {"pk": o.letter_a.pk},
        NOT_ALLOWED,
        office_only(302) | {"reporter_b": 404},
    ),
    "responsibility:letter_sign": (
        lambda o: {"pk": o.letter_a.pk},
        NOT_ALLOWED,
        # An empty form is shown again with its errors (200) for those who may sign: the unit and the 安委办.
        everyone(403) | {"reporter_a": 200, "head_a": 200, "office": 200, "reporter_b": 404},
    ),
    "responsibility:letter_amend": (
        lambda o: {"pk": o.letter_a.pk},
        NOT_ALLOWED,
        office_only(200) | {"reporter_b": 404},
    ),
    # After the rules changed: the year's letters whose words differ, amended or reworded by the 安委办.
    "responsibility:letter_differences": (lambda o: {"year": 2026}, office_only(200), NOT_ALLOWED),
    "responsibility:letter_reword": (
        lambda o: {"pk": o.letter_a.pk},
        NOT_ALLOWED,
        office_only(302) | {"reporter_b": 404},
    ),
    "responsibility:letter_print": (
        lambda o: {"pk": o.letter_a.pk},
        *[everyone(200) | {"reporter_b": 404}] * 2,
    ),
    "responsibility:letter_pdf": (
        lambda o: {"pk": o.letter_a.pk},
        *[everyone(200) | {"reporter_b": 404}] * 2,
    ),
    "responsibility:letter_scan": (
        lambda o: {"pk": o.letter_a.pk},
        *[everyone(200) | {"reporter_b": 404}] * 2,
    ),
    "responsibility:letter_version_scan": (
        lambda o: {"pk": o.letter_a.pk, "version": 1},
        *[everyone(200) | {"reporter_b": 404}] * 2,
    ),
    # Quarterly reports: the unit files its own; the 安委办 reviews; everyone reads the overview.
    "assessment:report_home": (None, everyone(302), everyone(302)),  # to the own quarter or the overview
    "assessment:report_entry": (
        lambda o: {"unit_pk": o.unit_a.pk, "year": 2026, "quarter": 3},
        everyone(200) | {"reporter_b": 404},
        # An empty POST saves nothing; only the unit's reporters may post at all.
        everyone(403) | {"reporter_a": 200, "reporter_b": 404},
    ),
    "assessment:report_template": (
        lambda o: {"unit_pk": o.unit_a.pk, "year": 2026, "quarter": 3},
        *[everyone(200) | {"reporter_b": 404}] * 2,
    ),
    "assessment:report_import": (
        lambda o: {"unit_pk": o.unit_a.pk, "year": 2026, "quarter": 3},
        everyone(403) | {"reporter_a": 200, "reporter_b": 404},
        everyone(403) | {"reporter_a": 400, "reporter_b": 404},  # no file: bad input, said at the field
    ),
    "assessment:report_import_confirm": (
        lambda o: {"unit_pk": o.unit_a.pk, "year": 2026, "quarter": 3},
        everyone(403) | {"reporter_b": 404},
        everyone(403) | {"reporter_a": 302, "reporter_b": 404},  # nothing uploaded: back to the page
    ),
    "assessment:report_import_failed": (
        lambda o: {"unit_pk": o.unit_a.pk, "year": 2026, "quarter": 3},
        *[everyone(200) | {"reporter_b": 404}] * 2,
    ),
    "assessment:evidence_download": (
        lambda o: {"pk": o.evidence_a.pk},
        *[everyone(200) | {"reporter_b": 404}] * 2,
    ),
    "assessment:evidence_delete": (
        lambda o: {"pk": o.evidence_a.pk},
        NOT_ALLOWED,
        everyone(403) | {"reporter_a": 302, "reporter_b": 404},
    ),
    "assessment:review_queue": (None, office_only(200), office_only(200)),
    "assessment:report_review": (lambda o: {"pk": o.report_a.pk}, NOT_ALLOWED, office_only(302)),
    "assessment:report_review_unit": (
        lambda o: {"unit_pk": o.unit_a.pk, "year": 2026, "quarter": 3},
        NOT_ALLOWED,
        office_only(302),
    ),
    "assessment:report_reopen": (
        lambda o: {"pk": o.report_a.pk},
        NOT_ALLOWED,
        office_only(302) | {"reporter_b": 404},
    ),
    "assessment:quarter_overview": (None, everyone(200), everyone(200)),
    # The year-end ranking: the city's roles; a unit sees only its own page, once published.
    "assessment:dashboard": (None, *[everyone(403) | {"inspector": 200, "leader": 200, "office": 200}] * 2),
    "assessment:ranking": (None, *[everyone(403) | {"inspector": 200, "leader": 200, "office": 200}] * 2),
    # The ranking printed for a meeting, and its PDF: the same people as the ranking.
    "assessment:ranking_print": (
        None,
        *[everyone(403) | {"inspector": 200, "leader": 200, "office": 200}] * 2,
    ),
    "assessment:ranking_pdf": (None, *[everyone(403) | {"inspector": 200, "leader": 200, "office": 200}] * 2),
    "assessment:assessment_detail": (
        lambda o: {"year": 2026, "unit_pk": o.unit_b.pk},
        # Unit B is assessed (its letter is signed) but nothing is published: still a 404 for B.
        *[everyone(404) | {"inspector": 200, "leader": 200, "office": 200}] * 2,
    ),
    # The year-end inputs (加减分, 考核扣分) are read by those who see the ranking and written by the
    # 安委办; a unit's own rows are a 403, another unit's a 404. 定稿, 发布 and 重新打开 are POSTs.
    "assessment:adjustment_list": (
        lambda o: {"year": 2026},
        everyone(403) | {"inspector": 200, "leader": 200, "office": 200},
        office_only(200),  # nothing posted: the form comes back with its errors
    ),
    "assessment:adjustment_delete": (
        lambda o: {"pk": o.adjustment_a.pk},
        NOT_ALLOWED,
        office_only(302) | {"reporter_b": 404},
    ),
    "assessment:deduction_list": (
        lambda o: {"year": 2026, "unit_pk": o.unit_a.pk},
        everyone(403) | {"inspector": 200, "leader": 200, "office": 200, "reporter_b": 404},
        office_only(200) | {"reporter_b": 404},  # nothing posted: the form comes back with its errors
    ),
    "assessment:deduction_delete": (
        lambda o: {"pk": o.deduction_a.pk},
        NOT_ALLOWED,
        office_only(302) | {"reporter_b": 404},
    ),
    "assessment:assessment_finalize": (lambda o: {"year": 2026}, NOT_ALLOWED, office_only(302)),
    "assessment:assessment_publish": (lambda o: {"year": 2026}, NOT_ALLOWED, office_only(302)),  # refused
    "assessment:assessment_reopen": (lambda o: {"year": 2026}, NOT_ALLOWED, office_only(302)),  # no reason
    # 全年数据导出: every unit's data in one workbook, for those who see every unit; a unit's people
    # are refused the page (403) and never learn that an export exists (404).
    "assessment:data_export_list": (
        None,
        everyone(403) | {"inspector": 200, "leader": 200, "office": 200},
        NOT_ALLOWED,
    ),
    "assessment:data_export_request": (
        lambda o: {"year": 2026},
        NOT_ALLOWED,
        everyone(403) | {"inspector": 302, "leader": 302, "office": 302},
    ),
    "assessment:data_export_download": (
        lambda o: {"pk": o.year_export_a.pk},
        everyone(404) | {"inspector": 200, "leader": 200, "office": 200},
        NOT_ALLOWED,
    ),
    # The accident register: city-wide for the office and leaders, a unit sees its territory
    # and its sector; only the 安委办 records, revises, exempts and imports.
    "assessment:veto_rules": (
        lambda o: {"year": 2026},
        everyone(403) | {"inspector": 200, "leader": 200, "office": 200},
        everyone(403) | {"office": 200},  # nothing posted: the form comes back with its errors
    ),
    "assessment:what_if": (lambda o: {"year": 2026}, office_only(200), NOT_ALLOWED),
    "assessment:accident_list": (None, everyone(200), everyone(200)),
    "assessment:accident_create": (None, office_only(200), office_only(200)),
    "assessment:indicator_counting": (lambda o: {"pk": o.indicator.pk}, office_only(200), NOT_ALLOWED),
    "assessment:accident_detail": (
        lambda o: {"pk": o.accident_a.pk},
        *[everyone(200) | {"reporter_b": 404}] * 2,
    ),
    "assessment:accident_edit": (
        lambda o: {"pk": o.accident_a.pk},
        *[office_only(200) | {"reporter_b": 404}] * 2,
    ),
    "assessment:accident_exemption_add": (
        lambda o: {"pk": o.accident_a.pk},
        NOT_ALLOWED,
        office_only(200) | {"reporter_b": 404},
    ),
    "assessment:accident_exemption_remove": (
        lambda o: {"pk": o.accident_a.pk, "exemption_pk": o.exemption_a.pk},
        NOT_ALLOWED,
        office_only(302) | {"reporter_b": 404},
    ),
    "assessment:accident_import": (None, office_only(200), office_only(400)),  # POST without a file
    "assessment:accident_import_confirm": (None, NOT_ALLOWED, office_only(302)),  # no preview: back to upload
    "assessment:accident_import_template": (None, office_only(200), NOT_ALLOWED),
    # 督查 and 问题隐患: the city's roles see all; a unit its own findings (another unit's are a 404);
    # inspectors and the 安委办 record, verify and reject; the unit reports; the 安委办 closes (销号).
    "assessment:inspection_list": (None, everyone(200), everyone(200)),
    "assessment:inspection_create": (
        None,
        *[everyone(403) | {"inspector": 200, "office": 200}] * 2,  # nothing posted: errors shown
    ),
    "assessment:inspection_detail": (
        lambda o: {"pk": o.inspection_a.pk},
        *[everyone(200) | {"reporter_b": 404}] * 2,
    ),
    "assessment:inspection_edit": (
        lambda o: {"pk": o.inspection_a.pk},
        *[everyone(403) | {"inspector": 200, "office": 200, "reporter_b": 404}] * 2,
    ),
    "assessment:finding_list": (None, everyone(200), everyone(200)),
    "assessment:finding_detail": (
        lambda o: {"pk": o.finding_a.pk},
        *[everyone(200) | {"reporter_b": 404}] * 2,
    ),
    "assessment:finding_rectify": (
        lambda o: {"pk": o.finding_a.pk},
        NOT_ALLOWED,
        # Nothing posted: the form comes back with its errors, for the unit's own people only.
        everyone(403) | {"reporter_a": 200, "head_a": 200, "reporter_b": 404},
    ),
    "assessment:finding_verify": (
        lambda o: {"pk": o.finding_a.pk},
        NOT_ALLOWED,
        everyone(403) | {"inspector": 302, "office": 302, "reporter_b": 404},  # no version: back to the page
    ),
    "assessment:finding_reject": (
        lambda o: {"pk": o.finding_a.pk},
        NOT_ALLOWED,
        everyone(403) | {"inspector": 200, "office": 200, "reporter_b": 404},  # no reason: errors shown
    ),
    "assessment:finding_close": (
        lambda o: {"pk": o.finding_a.pk},
        NOT_ALLOWED,
        office_only(302) | {"reporter_b": 404},  # no version: back to the page
    ),
    "assessment:finding_file": (
        lambda o: {"pk": o.finding_file_a.pk},
        everyone(200) | {"reporter_b": 404},
        NOT_ALLOWED,
    ),
    "assessment:quarter_lock": (None, NOT_ALLOWED, office_only(404)),  # nothing posted: no such quarter
    # People: the 安委办 only.
    # 站内提醒: everyone has an inbox; another person's notice is a 404.
    "assessment:inbox": (None, everyone(200), everyone(200)),
    "assessment:inbox_open": (
        lambda o: {"pk": o.notification_a.pk},
        everyone(404) | {"reporter_a": 302, "anonymous": LOGIN},
        NOT_ALLOWED,
    ),
    "assessment:inbox_read": (
        lambda o: {"pk": o.notification_a.pk},
        NOT_ALLOWED,
        everyone(404) | {"reporter_a": 302, "anonymous": LOGIN},
    ),
    "assessment:inbox_read_all": (None, NOT_ALLOWED, everyone(302)),
    # 通报: everyone reads the published ones (and their PDF); drafts are the 安委办's alone (a 404
    # for everyone else); only the 安委办 drafts, edits, publishes and sees the read receipts.
    "assessment:circular_list": (None, everyone(200), everyone(200)),
    "assessment:circular_create": (None, office_only(200), office_only(200)),  # empty POST: errors
    "assessment:circular_detail": (lambda o: {"pk": o.circular_published.pk}, everyone(200), everyone(200)),
    "assessment:circular_pdf": (lambda o: {"pk": o.circular_published.pk}, everyone(200), everyone(200)),
    "assessment:circular_receipts": (
        lambda o: {"pk": o.circular_published.pk},
        *[office_only(200)] * 2,
    ),
    "assessment:circular_edit": (
        lambda o: {"pk": o.circular_draft.pk},
        *[everyone(404) | {"office": 200}] * 2,  # empty POST: the form with its errors
    ),
    "assessment:circular_regenerate": (
        lambda o: {"pk": o.circular_draft.pk},
        NOT_ALLOWED,
        everyone(404) | {"office": 302},  # no version posted: back to the edit page
    ),
    "assessment:circular_publish": (
        lambda o: {"pk": o.circular_draft.pk},
        everyone(404) | {"office": 200},  # the confirmation page
        everyone(404) | {"office": 302},  # no version posted: back to the edit page
    ),
    "responsibility:person_list": (None, office_only(200), office_only(200)),
    "responsibility:person_create": (None, office_only(200), office_only(200)),
    "responsibility:person_detail": (lambda o: {"pk": o.reporter_b.pk}, office_only(200), office_only(200)),
    "responsibility:person_edit": (lambda o: {"pk": o.reporter_b.pk}, office_only(200), office_only(200)),
    "responsibility:person_reset_password": (
        lambda o: {"pk": o.reporter_b.pk},
        NOT_ALLOWED,
        office_only(302),
    ),
    "responsibility:person_set_active": (lambda o: {"pk": o.reporter_b.pk}, NOT_ALLOWED, office_only(302)),
    "responsibility:membership_add": (lambda o: {"pk": o.reporter_b.pk}, NOT_ALLOWED, office_only(200)),
    "responsibility:membership_remove": (
        lambda o: {"pk": o.reporter_b.pk, "membership_pk": o.membership_b.pk},
        NOT_ALLOWED,
        office_only(302),
    ),
}


class RoleSessions:
    """One login per role for a client, reused for every request the role makes.

    `use(role)` leaves the client with that role's session cookie and nothing else: what logging out
    and in again gives, without a new session (and its queries) before each request. The login must
    outlive the requests, so call `use` outside the transaction that a request is rolled back in;
    the requests' own changes to the session (a logout, a refreshed expiry) are rolled back with it.
    """

    def __init__(self, client, users: dict):
        self.client = client
        self.users = users
        self.keys: dict[str, str] = {}

    def use(self, role: str) -> None:
        self.client.cookies = SimpleCookie()
        if role == "anonymous":
            return
        if role not in self.keys:
            self.client.force_login(self.users[role])
            self.keys[role] = self.client.cookies[settings.SESSION_COOKIE_NAME].value
        else:
            self.client.cookies[settings.SESSION_COOKIE_NAME] = self.keys[role]


_PDFS: dict[str, bytes] = {}


@contextmanager
def each_pdf_made_once():
    """WeasyPrint makes each distinct HTML into a PDF once (in this process); the same HTML again
    gets the same bytes.

    The walks below ask a dozen roles for the same letter, ranking and circular PDF and read only
    the answer's status: each view still runs in full up to the HTML, which is all that can differ.
    """
    real = documents.html_to_pdf

    def html_to_pdf(html: str) -> bytes:
        if html not in _PDFS:
            _PDFS[html] = real(html)
        return _PDFS[html]

    with mock.patch.object(documents, "html_to_pdf", html_to_pdf):
        yield


def named_patterns(resolver=None, namespace: str = ""):
    """Every named URL pattern of the project, with its namespace; Django's admin excluded."""
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace == "admin":
                continue
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from named_patterns(pattern, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{namespace}{pattern.name}"


class AccessFixtures:
    """One object of each kind for the table's URLs to point at (tests/security walks them too)."""

    @classmethod
    def setUpTestData(cls):
        cls.unit_a = make_unit(name="梁溪区", code="liangxi")
        cls.unit_b = make_unit(name="锡山区", code="xishan")
        year = make_year(2026)
        cls.indicator = make_indicator(weights={"district": "100.00"})
        cls.users = {
            "reporter_a": make_user(unit=cls.unit_a, unit_role="reporter"),
            "head_a": make_user(unit=cls.unit_a, unit_role="head"),
            "reporter_b": make_user(unit=cls.unit_b, unit_role="reporter"),
            "inspector": make_user(city_role=roles.INSPECTOR),
            "leader": make_user(city_role=roles.LEADER),
            "office": make_user(city_role=roles.OFFICE),
        }
        cls.reporter_b = cls.users["reporter_b"]
        cls.membership_b = Membership.objects.get(user=cls.reporter_b)
        # Unit A's letter: issued, in its second version (the first one signed and kept).
        cls.letter_a = make_letter(year, cls.unit_a, status=LetterStatus.ISSUED, seq=1, version=2)
        cls.letter_a.scan.save("scan.pdf", ContentFile(b"%PDF-1.4 scan"), save=True)
        target_a = make_target(cls.letter_a, cls.indicator, weight=100)
        LetterVersion.objects.create(
            letter=cls.letter_a, version=1, scan=cls.letter_a.scan.name, reason="调整"
        )
        cls.report_a = make_report(target_a, value=5, status=ReportStatus.SUBMITTED)
        make_letter(year, cls.unit_b, seq=2, indicators=[cls.indicator], weight=100)
        cls.accident_a = Accident.objects.create(
            occurred_at=at(2026, 3, 5),
            place="梁溪区某工地",
            title="梁溪区某工地坍塌事故",
            industry="construction",
            unit=cls.unit_a,
            deaths=1,
        )
        cls.exemption_a = AccidentExemption.objects.create(
            accident=cls.accident_a, unit=cls.unit_a, reason="经调查不负属地责任"
        )
        cls.evidence_a = Evidence.objects.create(
            report=cls.report_a, file=ContentFile(b"%PDF-1.4", name="e.pdf"), name="e.pdf", kind="pdf", size=8
        )
        cls.adjustment_a = Adjustment.objects.create(year=year, unit=cls.unit_a, points=1, reason="表扬")
        cls.deduction_a = Deduction.objects.create(target=target_a, points=1, reason="台账不全")
        cls.inspection_a = Inspection.objects.create(
            year=year,
            kind="inspection",
            date=date(2026, 6, 1),
            team="第一督查组",
            created_by=cls.users["inspector"],
        )
        cls.inspection_a.units.set([cls.unit_a])
        cls.finding_a = Finding.objects.create(
            inspection=cls.inspection_a, unit=cls.unit_a, problem="消防通道被占用", deadline=date(2026, 9, 30)
        )
        cls.finding_file_a = FindingFile.objects.create(
            finding=cls.finding_a,
            purpose=FindingFile.PHOTO,
            file=ContentFile(b"\xff\xd8\xff\xe0photo", name="p.jpg"),
            name="现场.jpg",
            kind="jpeg",
            size=10,
        )
        cls.circular_published = Circular.objects.create(
            year=year,
            period=3,
            kind=CircularKind.SITUATION,
            title="关于2026年第三季度安全生产责任目标落实情况的通报",
            body="各板块、各有关部门、各市属企业：\n\n现将有关情况通报如下。",
            status=CircularStatus.PUBLISHED,
            doc_seq=1,
            doc_number="锡安办〔2026〕1号",
            published_at=at(2026, 10, 15),
        )
        cls.circular_draft = Circular.objects.create(
            year=year, period=3, kind=CircularKind.REMINDER, title="催报通报", body="请尽快报送。"
        )
        cls.notification_a = Notification.objects.create(
            recipient=cls.users["reporter_a"], kind="report_due", key="access", title="提醒", text="请填报"
        )
        # Built last, so that the workbook holds every row above.
        cls.year_export_a = YearExport.objects.create(year=year)
        build_year_export(cls.year_export_a.pk)


class AccessTests(AccessFixtures, TestCase):
    def test_every_url_is_in_the_expectation_table(self):
        missing = sorted(set(named_patterns()) - set(EXPECTATIONS))
        self.assertEqual(missing, [], "add these URLs to tests/test_access.py EXPECTATIONS")
        stale = sorted(set(EXPECTATIONS) - set(named_patterns()))
        self.assertEqual(stale, [], "these URLs no longer exist")

    # The table, walked as each role: a test each, so that pytest-xdist shares them out.
    def test_the_table_as_anonymous(self):
        self.check_role("anonymous")

    def test_the_table_as_reporter_a(self):
        self.check_role("reporter_a")

    def test_the_table_as_head_a(self):
        self.check_role("head_a")

    def test_the_table_as_reporter_b(self):
        self.check_role("reporter_b")

    def test_the_table_as_inspector(self):
        self.check_role("inspector")

    def test_the_table_as_leader(self):
        self.check_role("leader")

    def test_the_table_as_office(self):
        self.check_role("office")

    def test_every_role_is_walked(self):
        walked = {
            name.removeprefix("test_the_table_as_")
            for name in dir(self)
            if name.startswith("test_the_table_as_")
        }
        self.assertEqual(walked, set(ROLES))

    @each_pdf_made_once()
    def check_role(self, role: str):
        """Every URL of the table, GET and POST, as `role`: the answer the table expects."""
        sessions = RoleSessions(self.client, self.users)
        for name, (kwargs, get_codes, post_codes) in EXPECTATIONS.items():
            url = reverse(name, kwargs=kwargs(self) if kwargs else None)
            for method, codes in (("get", get_codes), ("post", post_codes)):
                with self.subTest(url=name, role=role, method=method):
                    self.assertEqual(self._status(sessions, role, method, url), codes[role])

    def _status(self, sessions: RoleSessions, role: str, method: str, url: str) -> int:
        sessions.use(role)
        # Each request runs in a transaction that is rolled back, so actions such as
        # deactivating a unit do not change what the next role sees.
        with transaction.atomic():
            status = getattr(self.client, method)(url).status_code
            transaction.set_rollback(True)
        return status

    def test_anonymous_users_are_sent_to_the_login_page(self):
        response = self.client.get(reverse("responsibility:unit_list"))
        self.assertRedirects(response, "/accounts/login/?next=/units/")

    def test_another_units_page_does_not_reveal_it_exists(self):
        self.client.force_login(self.users["reporter_a"])
        response = self.client.get(reverse("responsibility:unit_detail", args=[self.unit_b.pk]))
        self.assertEqual(response.status_code, 404)
        self.assertNotContains(response, "锡山区", status_code=404)

    def test_unit_list_is_scoped_to_the_users_units(self):
        self.client.force_login(self.users["reporter_a"])
        response = self.client.get(reverse("responsibility:unit_list"))
        self.assertContains(response, "梁溪区")
        self.assertNotContains(response, "锡山区")

    def test_django_admin_is_only_for_staff(self):
        self.client.force_login(self.users["office"])
        self.assertRedirects(self.client.get("/admin/"), "/admin/login/?next=/admin/")
        staff = make_user(is_staff=True, is_superuser=True)
        self.client.force_login(staff)
        self.assertEqual(self.client.get("/admin/").status_code, 200)
