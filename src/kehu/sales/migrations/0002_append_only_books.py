# The registration book, its confirmations and first-registration keys, the phone-enquiry book
# and follow-up records are evidence (A1.2 / A7.21): the database refuses UPDATE and DELETE.

from django.db import migrations

from kehu.core.ledger.append_only import AppendOnly


class Migration(migrations.Migration):
    dependencies = [
        ("sales", "0001_initial"),
        ("ledger", "0002_append_only"),
    ]

    operations = [
        AppendOnly("sales_registration"),
        AppendOnly("sales_registrationkey"),
        AppendOnly("sales_registrationconfirmation"),
        AppendOnly("sales_phoneenquiry"),
        AppendOnly("sales_followup"),
    ]
