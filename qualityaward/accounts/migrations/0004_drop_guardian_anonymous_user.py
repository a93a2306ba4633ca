"""Remove the "AnonymousUser" row django-guardian created while its setting was misnamed.

It is no person: it has no usable password, no role and no grant the portal uses, yet it showed up in
the admin's user list. Now that ANONYMOUS_USER_NAME = None, guardian creates it no more.
"""
from django.db import migrations


def drop_anonymous_user(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    User.objects.filter(username="AnonymousUser", password__startswith="!", role_assignments__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("accounts", "0003_alter_organization_credit_code_individualprofile_and_more")]
    operations = [migrations.RunPython(drop_anonymous_user, migrations.RunPython.noop)]
