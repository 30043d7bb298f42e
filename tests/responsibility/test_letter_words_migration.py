"""Migration 0005: letters issued before their words were kept get the words today's rules write,
through the historical models (no model property or method of today's code is needed)."""

import importlib
from decimal import Decimal

from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import TestCase

from responsibility import documents
from responsibility.models import LetterStatus, ResponsibilityLetter, UnitKind
from tests.factories import make_indicator, make_letter, make_unit, make_year

migration = importlib.import_module("responsibility.migrations.0005_letter_words_as_issued")


class KeepIssuedWordsTests(TestCase):
    def test_issued_and_signed_letters_get_todays_words_and_drafts_none(self):
        year = make_year(2029, veto_rules={"V3": {"larger_count": 4}})
        cap = make_indicator(
            code="M1", rule="cap_deduction", source="derived", measure="deaths", is_death_cap=True
        )
        signed = make_letter(
            year, make_unit(kind=UnitKind.DISTRICT), seq=1, indicators=[cap], target_value=Decimal(6)
        )
        issued = make_letter(year, make_unit(kind=UnitKind.DEPT_GENERAL), status=LetterStatus.ISSUED, seq=2)
        draft = make_letter(year, make_unit(), status=LetterStatus.DRAFT, indicators=[cap])
        state = MigrationExecutor(connection).loader.project_state(
            ("responsibility", "0005_letter_words_as_issued")
        )

        migration.keep_issued_words(state.apps, None)

        letters = ResponsibilityLetter.objects.select_related("unit", "year").prefetch_related(
            "targets__indicator"
        )
        for letter in (signed, issued):
            letter = letters.get(pk=letter.pk)
            self.assertEqual(letter.words, documents.letter_words(letter))
        said = letters.get(pk=signed.pk).words
        self.assertIn("累计发生较大或更重等级生产安全事故 4 起及以上", "".join(said["paragraphs"]))
        self.assertIn("全年死亡人数控制在 6 人以内", said["targets"]["M1"])
        self.assertEqual(letters.get(pk=draft.pk).words, {})
