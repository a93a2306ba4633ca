"""Declarations at submission (000 附件1/附件2 填报说明1; 息县 第十五条): the material is true and complete,
商业秘密 are noted and kept to the secretariat and the panel, and state secrets are never uploaded."""
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from applications.forms import services as fs
from applications.forms.spec import STATE_SECRET_WARNING, form_for
from applications.models import ApplicationSection, State
from qualityaward.accounts.services import Actor

pytestmark = pytest.mark.django_db
SECRET = "熔炼工艺参数表（三 自评报告 4.5.3；证实性材料“配方检测报告”）"


def declare(world, app, **data):
    row = ApplicationSection.objects.get(application=app, code="declaration")
    result = fs.save_section(application=app, code="declaration", data={**row.data, **data},
                             base_version=row.version, actor=Actor(user=world.owner))
    assert not result.errors
    return result


def test_every_form_ends_with_the_declaration(world):
    app = world.new_app(filled=False)
    declaration = form_for(app).sections[-1]
    assert declaration.code == "declaration" and declaration.help == STATE_SECRET_WARNING
    confirm = declaration.items[0]
    assert confirm.required and confirm.choices[0][1].startswith("本单位承诺：所填数据及提供的资料真实、准确、完整")


def test_the_pages_warn_against_state_secrets_where_the_applicant_writes_the_declaration_and_uploads(client, world):
    app = world.new_app(filled=False)
    client.force_login(world.owner)
    for code in ("declaration", "evidence"):
        body = client.get(reverse("applications:section", args=[app.pk, code])).content.decode()
        assert 'id="qa-state-secret"' in body and "不得涉及国家安全、国家秘密" in body, code
    body = client.get(reverse("applications:section", args=[app.pk, "overview"])).content.decode()
    assert 'id="qa-state-secret"' not in body


def test_declared_trade_secrets_reach_the_secretariat_but_never_an_exported_list(client, world, drive):
    app = world.new_app()
    declare(world, app, trade_secrets=SECRET)
    app = drive(app, State.RECOMMENDED)
    assert fs.declared_trade_secrets(app) == SECRET
    client.force_login(world.secretariat)
    body = client.get(reverse("review:eligibility_detail", args=[app.pk])).content.decode()
    assert 'id="qa-trade-secrets"' in body and SECRET.replace("“", "&ldquo;")[:6] in body
    for url in (reverse("applications:list_export"), reverse("review:eligibility_export")):
        book = load_workbook(io.BytesIO(b"".join(client.get(url).streaming_content)))
        cells = [str(c) for ws in book.worksheets for row in ws.iter_rows(values_only=True) for c in row if c]
        assert cells and not any("熔炼工艺" in c for c in cells), url
    client.force_login(world.authority)  # the bureau reviews the form itself, but the page does not list the note
    body = client.get(reverse("applications:detail", args=[app.pk])).content.decode()
    assert 'id="qa-trade-secrets"' not in body


def test_after_a_return_the_declaration_can_be_renewed_with_the_reopened_sections(world, drive):
    from applications import workflow

    app = drive(world.new_app(), State.SUBMITTED)
    workflow.perform(application=app, name="return_for_correction", actor=Actor(user=world.authority),
                     reason="组织概述需补充", sections=["overview"])
    app.refresh_from_db()
    assert fs.editable_section_codes(app) == ["overview", "declaration"]
    declare(world, app, trade_secrets=SECRET)
    assert fs.declared_trade_secrets(app) == ""  # the note counts from the next submission
    workflow.perform(application=app, name="resubmit", actor=Actor(user=world.owner))
    assert fs.declared_trade_secrets(app) == SECRET
