"""The demo's e-mail backend: one line per batch (how many, to whom), never the messages whole."""

import contextlib
import io

from django.core.mail import EmailMessage, get_connection, send_mail
from django.test import SimpleTestCase, override_settings

BACKEND = "wuxisafety.mail.SummaryEmailBackend"


class SummaryEmailBackendTests(SimpleTestCase):
    def test_a_batch_of_two_is_one_line_with_its_recipients(self):
        out = io.StringIO()
        messages = [
            EmailMessage(
                "【安全生产责任考核】整改逾期", "孙丽：\n\n整改已逾期。", to=["liangxi_tb@example.invalid"]
            ),
            EmailMessage(
                "【安全生产责任考核】整改逾期", "周敏：\n\n整改已逾期。", to=["zhujian_tb@example.invalid"]
            ),
        ]
        with get_connection(BACKEND, stream=out) as connection:
            sent = connection.send_messages(messages)
        self.assertEqual(sent, 2)
        self.assertEqual(
            out.getvalue(),
            "邮件 2 封（演示：未发出，仅列收件人）：liangxi_tb、zhujian_tb（均为 @example.invalid）\n",
        )

    def test_a_recipient_written_to_twice_is_counted_and_other_domains_stay_whole(self):
        out = io.StringIO()
        messages = [
            EmailMessage("a", "x", to=["liangxi_tb@example.invalid"]),
            EmailMessage("b", "y", to=["liangxi_tb@example.invalid"]),
            EmailMessage("c", "z", to=["ke@wuxi.gov.cn"]),
            EmailMessage("d", "w", to=[]),  # nobody to send to: not counted
        ]
        sent = get_connection(BACKEND, stream=out).send_messages(messages)
        self.assertEqual(sent, 3)
        self.assertEqual(
            out.getvalue(),
            "邮件 3 封（演示：未发出，仅列收件人）：liangxi_tb@example.invalid ×2、ke@wuxi.gov.cn\n",
        )

    def test_nothing_to_send_prints_nothing(self):
        out = io.StringIO()
        self.assertEqual(get_connection(BACKEND, stream=out).send_messages([]), 0)
        self.assertEqual(out.getvalue(), "")

    @override_settings(EMAIL_BACKEND=BACKEND)
    def test_selected_by_the_setting_it_writes_to_stdout_without_the_body(self):
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            send_mail(
                "【安全生产责任考核】新通报", "正文不应出现", "anweiban@localhost", ["ducha@example.invalid"]
            )
        self.assertEqual(
            out.getvalue(), "邮件 1 封（演示：未发出，仅列收件人）：ducha（均为 @example.invalid）\n"
        )
        self.assertNotIn("正文", out.getvalue())
