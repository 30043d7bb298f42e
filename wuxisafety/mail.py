"""An e-mail backend for the demo (`make run`): one line per batch, how many and to whom.

Django's console backend prints every message whole, headers and base64 bodies, which buries the
terminal under the demo's reminders. This one sends nothing and writes, per batch sent:

    邮件 3 封（演示：未发出，仅列收件人）：liangxi_tb ×2、zhujian_tb（均为 @example.invalid）

Select it with EMAIL_BACKEND=wuxisafety.mail.SummaryEmailBackend (`make run` does).
"""

import sys
import threading
from collections import Counter

from django.core.mail.backends.base import BaseEmailBackend


def summary(messages) -> str:
    """The line for a batch: the number of messages, then each recipient once (×n when several)."""
    counts = Counter(address for message in messages for address in message.recipients())
    domains = {address.rpartition("@")[2] for address in counts}
    shared = len(domains) == 1 and all("@" in address for address in counts)
    names = [
        (address.rpartition("@")[0] if shared else address) + (f" ×{n}" if n > 1 else "")
        for address, n in counts.items()
    ]
    line = f"邮件 {len(messages)} 封（演示：未发出，仅列收件人）：{'、'.join(names)}"
    return line + (f"（均为 @{domains.pop()}）" if shared else "")


class SummaryEmailBackend(BaseEmailBackend):
    def __init__(self, *args, stream=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.stream = stream or sys.stdout
        self._lock = threading.RLock()

    def send_messages(self, email_messages) -> int:
        messages = [message for message in email_messages or [] if message.recipients()]
        if not messages:
            return 0
        with self._lock:
            try:
                self.stream.write(summary(messages) + "\n")
                self.stream.flush()
            except Exception:
                if not self.fail_silently:
                    raise
        return len(messages)
