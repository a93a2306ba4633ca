"""A narrative (richtext field) with a heading, bold text, a list, a table and an image, for the tests of its
printing (Word copy, dossier) and the browser's round trip."""
from io import BytesIO

#: the image's colour, found again in the rendered dossier page
RED = (200, 30, 30)


def png(size=(600, 300), color=RED):
    from PIL import Image

    out = BytesIO()
    Image.new("RGB", size, color).save(out, "PNG")
    return out.getvalue()


def narrative_with_table_and_image(world):
    """A filled application of ``world`` whose first self-assessment item holds the narrative (and an image
    address of another application, which prints nothing)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from applications.forms import richtext
    from applications.forms.services import add_narrative_image
    from applications.forms.spec import form_for
    from applications.models import ApplicationSection
    from qualityaward.accounts.services import Actor

    app = world.new_app()
    image = add_narrative_image(application=app, uploaded=SimpleUploadedFile("趋势图.png", png(), "image/png"),
                                actor=Actor(user=world.owner))
    key = form_for(app).section("self_assessment").items[0].key
    html = ("<h3>方法</h3><p>采用<strong>卓越绩效</strong>模式。</p><ul><li><p>战略目标分解</p></li></ul>"
            "<table><tbody><tr><th><p>指标</p></th><th><p>2025年</p></th></tr>"
            "<tr><td><p>一次交验合格率</p></td><td><p>99.6%</p></td></tr></tbody></table>"
            f'<p>近三年趋势：</p><img src="{richtext.image_url(app.pk, image.pk)}" alt="趋势图">'
            '<img src="/applications/999999/form/images/1/">')
    row = ApplicationSection.objects.get(application=app, code="self_assessment")
    row.data = {**row.data, key: html}
    row.save()
    return app
