from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("organisations", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="organisation",
            name="abbreviation",
            field=models.CharField(
                blank=True,
                help_text="Theo Nghị định 30/2020/NĐ-CP, ví dụ UBND, STP, VP",
                max_length=20,
                verbose_name="chữ viết tắt trong ký hiệu văn bản",
            ),
        ),
    ]
