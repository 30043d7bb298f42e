"""The rooms of assessment/: the rules import no Django, each package imports only what its opening
docstring says it may, and no module outgrows its purpose."""

import ast
import re
import subprocess
import sys
from pathlib import Path

from django.test import SimpleTestCase

ROOT = Path(__file__).resolve().parents[2]
APP = ROOT / "assessment"
PACKAGES = sorted(
    p.name
    for p in APP.iterdir()
    if (p / "__init__.py").exists() and p.name not in {"migrations", "management", "models"}
)
TOP_LEVEL = {"models", "tasks", "demo", "apps", "urls", "admin"}
LONG_ALLOWED = {"assessment/demo.py", "assessment/management/commands/generate_load.py"}
MAX_LINES = 430  # about 400


def imported_modules(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
            if node.module == "assessment":
                names.update(f"assessment.{alias.name}" for alias in node.names)
    return names


def allowed_imports(package: str) -> set[str]:
    doc = ast.get_docstring(ast.parse((APP / package / "__init__.py").read_text())) or ""
    match = re.search(r"^May import: (.*)$", doc, re.M)
    if not match:
        return set()
    words = re.findall(
        r"[a-z_]+", match.group(1).split("(")[0] if "nothing" in match.group(1) else match.group(1)
    )
    return {w for w in words if w in PACKAGES or w in TOP_LEVEL or w == "responsibility"}


class LayoutTests(SimpleTestCase):
    def test_every_package_says_what_lives_there_and_what_it_may_import(self):
        for package in PACKAGES:
            with self.subTest(package=package):
                doc = ast.get_docstring(ast.parse((APP / package / "__init__.py").read_text())) or ""
                what, _, may_import = doc.partition("\n")
                self.assertGreater(len(what), 20, msg=doc)
                self.assertRegex(may_import, r"^May import: .+$")

    def test_the_rules_import_no_django_and_nothing_of_the_app(self):
        for path in sorted((APP / "rules").glob("*.py")):
            with self.subTest(module=path.name):
                outside = {
                    name
                    for name in imported_modules(path)
                    if name.split(".")[0] in {"django", "assessment", "responsibility", "wuxisafety"}
                }
                self.assertEqual(outside, set())
        # And for real: importing every rule in a bare interpreter loads no Django at all.
        modules = [f"assessment.rules.{p.stem}" for p in sorted((APP / "rules").glob("[!_]*.py"))]
        code = f"import sys\nfor m in {modules!r}: __import__(m)\nprint(sorted(n for n in sys.modules if n.split('.')[0] == 'django'))"
        result = subprocess.run(
            [sys.executable, "-c", code],
            cwd=ROOT,
            capture_output=True,
            text=True,
            env={"PATH": "/usr/bin:/bin"},
        )
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(result.stdout.strip(), "[]")

    def test_each_package_imports_only_what_its_docstring_allows(self):
        for package in PACKAGES:
            allowed = allowed_imports(package) | {package}
            for path in sorted((APP / package).rglob("*.py")):
                used = set()
                for name in imported_modules(path):
                    parts = name.split(".")
                    if parts[0] == "responsibility":
                        used.add("responsibility")
                    elif parts[0] == "assessment" and len(parts) > 1:
                        used.add(parts[1])
                with self.subTest(module=str(path.relative_to(ROOT))):
                    self.assertLessEqual(used, allowed)

    def test_no_module_outgrows_its_purpose(self):
        for path in sorted(
            [
                *APP.rglob("*.py"),
                *(ROOT / "responsibility").rglob("*.py"),
                *(ROOT / "wuxisafety").rglob("*.py"),
            ]
        ):
            relative = str(path.relative_to(ROOT))
            if "migrations" in path.parts or relative in LONG_ALLOWED:
                continue
            with self.subTest(module=relative):
                self.assertLessEqual(len(path.read_text().splitlines()), MAX_LINES)
