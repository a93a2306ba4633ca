"""``{% pdf_font_faces %}``: the @font-face rules of the prepared PDF fonts (used by templates/pdf/_fonts.html)."""
from django import template
from django.utils.safestring import mark_safe

from ..documents.fonts import font_face_css

register = template.Library()


@register.simple_tag
def pdf_font_faces():
    return mark_safe(font_face_css())
