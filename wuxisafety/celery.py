import os
from pathlib import Path

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wuxisafety.settings")

app = Celery("wuxisafety")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

BROKER_FOLDERS = ("data_folder_in", "data_folder_out", "processed_folder", "control_folder")


@app.on_after_configure.connect
def make_broker_folders(sender, source, **kwargs):
    """The embedded broker (files in var/broker) needs its folders before a task is sent or received.

    Any process may send one (a web request queues a reminder's e-mails), so each makes them when
    it first reads the Celery configuration: a worker and beat as they start, a web process before
    its first task. Not when the settings are imported: that must write nothing.
    """
    if source.broker_url.startswith("filesystem://"):
        for key in BROKER_FOLDERS:
            Path(source.broker_transport_options[key]).mkdir(parents=True, exist_ok=True)
