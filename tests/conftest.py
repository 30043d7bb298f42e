"""What every test process sets up first."""

import os
import shutil
import tempfile


def pytest_configure(config):
    """A temporary folder of this process's own, for everything that goes through `tempfile`.

    The year export writes its workbook to <tmp>/wuxisafety-year-export-<pk>-<attempt>.xlsx first:
    the same name in each pytest-xdist worker (and in another checkout's test run), whose test
    databases number their exports alike. Subprocesses (a Celery worker, gunicorn) inherit it
    through TMPDIR. Removed when the run ends.
    """
    folder = tempfile.mkdtemp(prefix="wuxisafety-tests-")
    config.add_cleanup(lambda: shutil.rmtree(folder, ignore_errors=True))
    tempfile.tempdir = folder
    os.environ["TMPDIR"] = folder
