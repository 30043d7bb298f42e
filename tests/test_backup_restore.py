"""The README's backup and restore, run for real: ops/backup.sh dumps the test database (pg_dump -Fc)
and tars the private uploads; ops/restore.sh restores both into a new database and an empty folder,
migrates and checks. The restored tables hold the same rows, byte for byte, and every private file
comes back identical.

On PostgreSQL only (pg_dump backs up nothing else): skipped on the SQLite pass, run in CI's
PostgreSQL pass. The scripts are subprocesses, so the demo is committed (TransactionTestCase).
"""

import io
import shutil
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

import psycopg2
from django.apps import apps
from django.core.management import call_command
from django.db import connection
from django.test import TransactionTestCase, override_settings

from assessment.models import (
    Accident,
    Assessment,
    Circular,
    Finding,
    FindingFile,
    Inspection,
    Notification,
    Report,
)
from responsibility.demo import DEMO_SCAN
from responsibility.models import ResponsibilityLetter, Target, Unit, User
from tests import subprocesses

ROOT = Path(__file__).resolve().parents[1]
MAIN_MODELS = (
    Unit,
    User,
    ResponsibilityLetter,
    Target,
    Report,
    Accident,
    Assessment,
    Inspection,
    Finding,
    FindingFile,
    Circular,
    Notification,
)


def app_tables() -> dict[str, str]:
    """Every table of the app (history included) → its primary key column."""
    return {
        model._meta.db_table: model._meta.pk.column
        for label in ("responsibility", "assessment")
        for model in apps.get_app_config(label).get_models(include_auto_created=True)
    }


def table_digests(url: str) -> dict[str, tuple[int, str]]:
    """Rows and an md5 of all of them in primary-key order, per table, read from the database at `url`."""
    digests = {}
    with psycopg2.connect(url) as db, db.cursor() as cursor:
        cursor.execute("SET TIME ZONE 'UTC'")
        for table, pk in app_tables().items():
            cursor.execute(
                f"SELECT count(*), md5(coalesce(string_agg(t::text, E'\\n' ORDER BY t.\"{pk}\"), '')) "
                f'FROM "{table}" t'
            )
            digests[table] = cursor.fetchone()
    db.close()
    return digests


def files(root: Path) -> dict[str, bytes]:
    return {str(path.relative_to(root)): path.read_bytes() for path in root.rglob("*") if path.is_file()}


@unittest.skipUnless(
    connection.vendor == "postgresql", "pg_dump backs up PostgreSQL: CI runs this on PostgreSQL"
)
class BackupRestoreTests(TransactionTestCase):
    def setUp(self):
        self.tmp = Path(tempfile.mkdtemp(prefix="backup-restore-"))
        self.addCleanup(shutil.rmtree, self.tmp, ignore_errors=True)
        self.media = self.tmp / "var" / "private"
        storage = override_settings(
            MEDIA_ROOT=self.media,
            STORAGES={
                "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
                "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
            },
        )
        storage.enable()
        self.addCleanup(storage.disable)
        self.source_url = subprocesses.database_url()
        self.restore_name = f"{connection.settings_dict['NAME']}_restore"
        self.restore_url = self.source_url.rsplit("/", 1)[0] + "/" + self.restore_name
        self.drop_restored()
        self.addCleanup(self.drop_restored)

    def drop_restored(self):
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{self.restore_name}" WITH (FORCE)')

    def run_script(self, *args: str, database_url: str, var_dir: Path) -> subprocess.CompletedProcess:
        env = subprocesses.app_env(
            broker_url="memory://", var_dir=var_dir, mail_dir=self.tmp / "mail", PYTHON=sys.executable
        )
        env["DATABASE_URL"] = database_url
        return subprocess.run(
            [str(ROOT / "ops" / args[0]), *args[1:]],
            cwd=self.tmp,  # not the project: the scripts find it themselves
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )

    def test_a_backup_restores_into_a_new_database_with_every_row_and_private_file(self):
        call_command("seed_demo", stdout=io.StringIO())
        for model in MAIN_MODELS:
            self.assertTrue(model.objects.exists(), f"the demo has no {model.__name__}: nothing to compare")
        letter = ResponsibilityLetter.objects.exclude(scan="").order_by("pk").first()
        self.assertTrue((self.media / letter.scan.name).is_file())

        backup = self.run_script(
            "backup.sh", str(self.tmp / "backups"), database_url=self.source_url, var_dir=self.tmp / "var"
        )
        self.assertEqual(backup.returncode, 0, backup.stderr)
        stem = backup.stdout.strip()
        for suffix in (".dump", ".private.tar", ".inventory"):
            self.assertTrue(Path(stem + suffix).is_file(), suffix)
        self.assertEqual(list((self.tmp / "backups").glob("*.part")), [])

        restored_var = self.tmp / "restored"
        restore = self.run_script("restore.sh", stem, database_url=self.restore_url, var_dir=restored_var)
        self.assertEqual(restore.returncode, 0, restore.stdout + restore.stderr)
        self.assertIn("No migrations to apply.", restore.stdout)
        self.assertIn(
            "restored: the same rows and files as the inventory taken at the backup", restore.stdout
        )

        # Every table of the app: the same number of rows, and the same rows (md5 of them all).
        source, restored = table_digests(self.source_url), table_digests(self.restore_url)
        self.assertEqual(restored, source)
        for model in MAIN_MODELS:
            self.assertEqual(restored[model._meta.db_table][0], model.objects.count(), model.__name__)
        # The private files: the same paths, byte for byte; the letter's scan among them.
        self.assertEqual(files(restored_var / "private"), files(self.media))
        self.assertEqual((restored_var / "private" / letter.scan.name).read_bytes(), DEMO_SCAN)

        # Restoring again overwrites nothing: the database exists, the folder is not empty.
        again = self.run_script("restore.sh", stem, database_url=self.restore_url, var_dir=restored_var)
        self.assertEqual(again.returncode, 2)
        self.assertIn("is not empty", again.stderr)
        elsewhere = self.run_script(
            "restore.sh", stem, database_url=self.restore_url, var_dir=self.tmp / "other"
        )
        self.assertNotEqual(elsewhere.returncode, 0)
        self.assertIn("already exists", elsewhere.stderr)
        self.assertEqual(table_digests(self.restore_url), source)

        # The inventory notices a private file the restored database names and the folder lacks.
        (restored_var / "private" / letter.scan.name).unlink()
        inventory = subprocess.run(
            [sys.executable, str(ROOT / "ops" / "inventory.py")],
            env=subprocesses.app_env(broker_url="memory://", var_dir=restored_var, mail_dir=self.tmp / "mail")
            | {"DATABASE_URL": self.restore_url},
            capture_output=True,
            text=True,
            timeout=60,
        )
        self.assertEqual(inventory.returncode, 1, inventory.stderr)
        self.assertIn(f"missing\t{letter.scan.name}", inventory.stdout)
