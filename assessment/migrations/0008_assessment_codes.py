"""The finalized snapshot stores codes for its group, grade and tier instead of their labels.

The snapshots and their history rows written before held the labels (板块, 优秀, 第一等次); they are
converted here, and back when the migration is reversed. The labels have never changed, so a value
that is neither a known label nor a code is a damaged row: the migration stops and names it rather
than leave a value no page can show.

The mappings are written out, not taken from the models' choices, so that this migration keeps
meaning what it means when the choices change later. Each label is converted by its own UPDATE, run
even when no row matches: any write gives the memo (assessment.results.memo) a new generation, so no
result kept from before the migration is shown after it.
"""

from django.db import migrations, models

CODES = {
    "group": {
        "板块": "territory",
        "专业类部门": "professional",
        "综合类部门": "general",
        "市属企业": "enterprise",
    },
    "grade": {"优秀": "excellent", "良好": "good", "合格": "pass", "不合格": "fail"},
    "tier": {"第一等次": "first", "第二等次": "second", "第三等次": "third"},
}
MODELS = ("Assessment", "HistoricalAssessment")


def _convert(apps, mappings):
    for model_name in MODELS:
        model = apps.get_model("assessment", model_name)
        for field, mapping in mappings.items():
            for old, new in mapping.items():
                model.objects.filter(**{field: old}).update(**{field: new})
            unknown = sorted(
                set(model.objects.exclude(**{f"{field}__in": mapping.values()}).values_list(field, flat=True))
            )
            if unknown:
                raise ValueError(f"{model_name}.{field}: unknown values {unknown}; expected {list(mapping)}")


def labels_to_codes(apps, schema_editor):
    _convert(apps, CODES)


def codes_to_labels(apps, schema_editor):
    _convert(apps, {field: {code: label for label, code in m.items()} for field, m in CODES.items()})


class Migration(migrations.Migration):
    dependencies = [
        ("assessment", "0007_year_export"),
    ]

    operations = [
        migrations.AlterField(
            model_name="assessment",
            name="grade",
            field=models.CharField(
                choices=[("excellent", "优秀"), ("good", "良好"), ("pass", "合格"), ("fail", "不合格")],
                max_length=10,
                verbose_name="等级",
            ),
        ),
        migrations.AlterField(
            model_name="assessment",
            name="group",
            field=models.CharField(
                choices=[
                    ("territory", "板块"),
                    ("professional", "专业类部门"),
                    ("general", "综合类部门"),
                    ("enterprise", "市属企业"),
                ],
                max_length=20,
                verbose_name="考核组别",
            ),
        ),
        migrations.AlterField(
            model_name="assessment",
            name="tier",
            field=models.CharField(
                choices=[("first", "第一等次"), ("second", "第二等次"), ("third", "第三等次")],
                max_length=10,
                verbose_name="等次",
            ),
        ),
        migrations.AlterField(
            model_name="historicalassessment",
            name="grade",
            field=models.CharField(
                choices=[("excellent", "优秀"), ("good", "良好"), ("pass", "合格"), ("fail", "不合格")],
                max_length=10,
                verbose_name="等级",
            ),
        ),
        migrations.AlterField(
            model_name="historicalassessment",
            name="group",
            field=models.CharField(
                choices=[
                    ("territory", "板块"),
                    ("professional", "专业类部门"),
                    ("general", "综合类部门"),
                    ("enterprise", "市属企业"),
                ],
                max_length=20,
                verbose_name="考核组别",
            ),
        ),
        migrations.AlterField(
            model_name="historicalassessment",
            name="tier",
            field=models.CharField(
                choices=[("first", "第一等次"), ("second", "第二等次"), ("third", "第三等次")],
                max_length=10,
                verbose_name="等次",
            ),
        ),
        migrations.RunPython(labels_to_codes, codes_to_labels),
    ]
