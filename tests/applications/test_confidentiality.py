"""Experts are anonymous to applicants everywhere (息县 第十九条 and every seed's 评审纪律: the experts' names are
not disclosed to applicants): on a finished review, the applicant walks every page, PDF, Word copy and Excel
export it can reach from its dashboard and its application, and no expert's name or username appears."""
import io
import re
from collections import deque

from django.urls import reverse

from applications import workflow
from applications.models import State
from pdf_support import pdf_text
from procedure_support import score_stage
from qualityaward.accounts.services import Actor
from review.scoring.models import ScoreSheet
from demo.review import complete_sample_consultation
from review.prereview.services import EVALUATION

SKIP = ("/accounts/logout", "/admin", "/static/", "/accounts/password")


def _text(response):
    kind = response.get("Content-Type", "")
    data = b"".join(response.streaming_content) if response.streaming else response.content
    if "pdf" in kind:
        return pdf_text(data)
    if "wordprocessingml" in kind:
        import docx

        document = docx.Document(io.BytesIO(data))
        cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
        return "\n".join([p.text for p in document.paragraphs] + cells)
    if "spreadsheetml" in kind:
        import openpyxl

        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
        return "\n".join(str(v) for ws in book.worksheets for row in ws.iter_rows(values_only=True) for v in row
                         if v is not None)
    return data.decode("utf-8", "replace")


def _links(html):
    for href in re.findall(r'(?:href|hx-get|data-url)="(/[^"#]*)', html):
        if not href.startswith(SKIP):
            yield href.replace("&amp;", "&")


def test_an_applicant_never_reads_an_experts_name(client, world, drive, mailoutbox,
                                                 django_capture_on_commit_callbacks):
    from review.scoring.services import release_report

    with django_capture_on_commit_callbacks(execute=True):  # the notifications go out after each commit
        app = drive(world.new_app(name="评审完成的申报单位"), State.MATERIAL_REVIEW)
        score_stage(app)  # sample experts score, the leader concludes
        app.refresh_from_db()
        release_report(application=app, actor=Actor(user=world.secretariat))
        tier = app.campaign.program.profile.tiers.first()
        for name in ("declare_finalist", "propose", "award"):  # the rest of the cultivation program's path
            if name == "propose":  # 五（五）: 征求意见 after the expert evaluation
                complete_sample_consultation(application=app, actor=Actor(user=world.secretariat), by=EVALUATION)
            workflow.perform(application=app, name=name, actor=Actor(user=world.secretariat),
                             **({"tier": tier} if name != "declare_finalist" else {}))
    app.refresh_from_db()
    assert app.state == State.AWARDED  # 入库: no certificate (000 五（五）); the PDFs are the receipt and the report
    experts = {s.expert for s in ScoreSheet.objects.filter(panel__application=app).select_related("expert")}
    assert len(experts) >= 2
    secrets = {e.username for e in experts} | {e.full_name for e in experts if e.full_name}

    client.force_login(world.owner)
    start = ["/", reverse("applications:detail", args=[app.pk]), reverse("review:scoring_report", args=[app.pk]),
             reverse("applications:form_docx", args=[app.pk]), reverse("applications:list_export"),
             reverse("review:award_list"), reverse("insights:organization", args=[world.org.pk])]
    queue, seen, read = deque(start), set(start), {}
    while queue and len(seen) < 400:
        url = queue.popleft()
        response = client.get(url)
        if response.status_code != 200:
            continue
        text = _text(response)
        read[url] = response.get("Content-Type", "")
        leaked = {s for s in secrets if s in text}
        assert not leaked, f"{url} shows {leaked}"
        if "html" in read[url]:
            for link in _links(text):
                if link not in seen:
                    seen.add(link)
                    queue.append(link)
    kinds = " ".join(read.values())
    # the walk reached the review report, a PDF (receipt or report), the Word copy and an export
    assert reverse("review:scoring_report", args=[app.pk]) in read
    assert "pdf" in kinds and "wordprocessingml" in kinds and "spreadsheetml" in kinds, read
    # and the e-mails the portal sent on the way (to the applicant, the offices) name no expert either
    expert_addresses = {e.email for e in experts if e.email}
    others = [m for m in mailoutbox if not set(m.to) & expert_addresses]
    assert any(world.owner.email in m.to for m in others), [m.to for m in mailoutbox]
    for message in others:
        leaked = {s for s in secrets if s in message.subject + message.body}
        assert not leaked, f"e-mail “{message.subject}” to {message.to} shows {leaked}"
