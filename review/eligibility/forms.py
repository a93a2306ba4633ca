"""Forms of the secretariat's eligibility screens. Validation of meaning lives in
``review.eligibility.services``; these only read the request and keep what the user typed."""
from django import forms

from .services import ABSENT, NOTE_MAX_CHARS, PRESENT, TICK_LABELS

REASON_MAX_CHARS = 2000


class DecisionForm(forms.Form):
    reason = forms.CharField(label="理由", required=False, max_length=REASON_MAX_CHARS,
                             widget=forms.Textarea(attrs={"rows": 4}),
                             error_messages={"max_length": f"理由限 {REASON_MAX_CHARS} 字，请删减。"})

    def __init__(self, *args, reason_required=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.reason_required = reason_required

    def clean_reason(self):
        reason = (self.cleaned_data.get("reason") or "").strip()
        if self.reason_required and not reason:
            raise forms.ValidationError("请填写理由：申报人和推荐单位将看到这段文字，请写明不符合的条件和依据。")
        return reason


class ExclusionChecklistForm:
    """The checklist as rows: each exclusion item with its answer (不存在 / 存在) and a note.

    Not a Django form: the rows are the profile's ExclusionItem rows, and a partly ticked list may be
    saved (the decision guards require every row)."""

    CHOICES = [(ABSENT, TICK_LABELS[ABSENT]), (PRESENT, TICK_LABELS[PRESENT])]

    def __init__(self, rows, data=None):
        self.rows = []
        for item, tick in rows:
            if data is not None:
                answer = str(data.get(f"item_{item.pk}", "") or "")[:20]
                note = str(data.get(f"note_{item.pk}", "") or "")[: NOTE_MAX_CHARS * 2]
            else:
                answer = (tick or {}).get("answer", "")
                note = (tick or {}).get("note", "")
            self.rows.append({"item": item, "tick": tick, "answer": answer, "note": note,
                              "name": f"item_{item.pk}", "note_name": f"note_{item.pk}"})
        self.errors = []
        self.note_max_chars = NOTE_MAX_CHARS

    def answers(self):
        return {row["item"].pk: (row["answer"], row["note"]) for row in self.rows}


class AcceptanceListForm(forms.Form):
    campaign = forms.TypedChoiceField(label="届次", coerce=int, choices=(),
                                      error_messages={"invalid_choice": "请从列表中选择届次。",
                                                      "required": "请选择届次。"})
    title = forms.CharField(label="标题", required=False, max_length=120,
                            help_text="留空则使用“奖项名称 + 届次 + 受理名单”。",
                            error_messages={"max_length": "标题限 120 字，请删减。"})

    def __init__(self, *args, campaigns, **kwargs):
        super().__init__(*args, **kwargs)
        self.campaigns = {c.pk: c for c in campaigns}
        self.fields["campaign"].choices = [(c.pk, str(c)) for c in campaigns]
