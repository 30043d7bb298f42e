"""What a backup holds, for comparing a restore with it: .venv/bin/python ops/inventory.py

Prints the rows of every table of the app (responsibility, assessment, their history) and the number
of private files the database names; lists any such file missing from MEDIA_ROOT and then exits 1.
Runs with the app's environment (DATABASE_URL, VAR_DIR or MEDIA_ROOT, and DEBUG/SECRET_KEY).
"""

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wuxisafety.settings")

import django  # noqa: E402

django.setup()

from django.apps import apps  # noqa: E402
from django.db import models  # noqa: E402

APPS = ("responsibility", "assessment")


def main() -> int:
    missing = []
    named = 0
    for label in APPS:
        for model in sorted(apps.get_app_config(label).get_models(), key=lambda m: m._meta.label):
            print(f"{model._meta.label}\t{model.objects.count()}")
            if model._meta.object_name.startswith("Historical"):
                continue  # history may name a file since replaced: only the current ones must exist
            for field in model._meta.concrete_fields:
                if isinstance(field, models.FileField):
                    for name in model.objects.exclude(**{field.name: ""}).values_list(field.name, flat=True):
                        named += 1
                        if not field.storage.exists(name):
                            missing.append(name)
    print(f"private files named\t{named}")
    for name in missing:
        print(f"missing\t{name}")
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
