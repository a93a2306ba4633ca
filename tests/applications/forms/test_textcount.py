"""字数 as Word/WPS count it (issue: an applicant whose Word count is 2,990 must not be refused at 3,000):
one table of examples, run through the server's rule and through the browser counter's script."""
import json
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings

from applications.forms.spec import clean_section, organization_form
from applications.forms.textcount import RULE, count_chars

#: (text, 字数 in Word/WPS, why)
EXAMPLES = [
    ("", 0, "empty"),
    ("质量奖", 3, "each Chinese character 1"),
    ("质量，效益。", 6, "full-width punctuation 1 each"),
    ("“卓越绩效”（GB/T 19580）", 10, "quotes and brackets 1 each, GB/T and 19580 one word each"),
    ("《质量强国建设纲要》", 10, "book-title marks count"),
    ("quality award", 2, "a Latin word counts 1"),
    ("ISO9001", 1, "letters and digits together: one word"),
    ("采用ISO9001标准", 5, "a word between Chinese characters"),
    ("圆周率3.14", 4, "a decimal number is one word"),
    ("e-mail well-known", 2, "hyphenated words: one each"),
    ("GB/T 19580-2012", 2, "standard number: two words"),
    ("100% 合格", 3, "half-width percent sign belongs to its number"),
    ("50％", 2, "a full-width percent sign is counted like a Chinese character"),
    ("ＡＢＣ１２３", 6, "full-width letters and digits 1 each"),
    ("a - b", 2, "a lone half-width dash is not a word"),
    ("Q&A <b>", 2, "Q&A one word, <b> one word"),
    ("& ... !!", 0, "half-width punctuation alone counts nothing"),
    ("质量 奖", 3, "whitespace counts nothing"),
    ("质量\u3000奖\n\t", 3, "ideographic space and line breaks count nothing"),
    ("\ufeff\u200b字", 1, "zero-width characters count nothing"),
    ("𠀀𪚥", 2, "CJK extension B characters outside the BMP: 1 each"),
    ("——", 2, "the Chinese dash is two marks"),
    ("……", 2, "the Chinese ellipsis is two marks"),
    ("迈克尔·乔丹", 6, "the middle dot counts like a Chinese mark"),
    ("第1名", 3, "a digit between Chinese characters is one word"),
    ("2024年营业收入12.5亿元", 9, "numbers inside a sentence"),
    ("Müller café", 2, "accented Latin letters are letters"),
    ("한국어 단어", 2, "Korean is counted by words, like Word's 朝鲜语单词"),
    ("ひらがなカタカナ", 8, "kana 1 each"),
]


@pytest.mark.parametrize("text,expected,why", EXAMPLES, ids=[e[2] for e in EXAMPLES])
def test_server_counts_like_word(text, expected, why):
    assert count_chars(text) == expected, why


def test_browser_counter_counts_every_example_like_the_server():
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed; the browser test of the applicant form covers the counter")
    script = Path(settings.BASE_DIR) / "static" / "js" / "textcount.js"
    program = (
        "const {make} = require(process.argv[1]);"
        "let input = '';"
        "process.stdin.on('data', d => input += d);"
        "process.stdin.on('end', () => { const {rule, texts} = JSON.parse(input);"
        " const count = make(rule); process.stdout.write(JSON.stringify(texts.map(count))); });"
    )
    texts = [text for text, _n, _why in EXAMPLES] + ["".join(t for t, _n, _w in EXAMPLES)]
    done = subprocess.run([node, "-e", program, str(script)], input=json.dumps({"rule": RULE, "texts": texts}),
                          capture_output=True, text=True, timeout=30, check=True)
    assert json.loads(done.stdout) == [count_chars(t) for t in texts]


def test_a_limit_is_checked_in_word_counts_not_letters():
    """A 3000-字 overview of 2,990 Word 字数 with English terms passes; one 字 over the limit is refused."""
    spec = organization_form(years=(2023, 2024, 2025), scoring_items=())
    overview = spec.section("overview")
    text = "质" * 2980 + " ISO9001" * 10  # 2,990 字 in Word; 3,050 letters and digits
    assert count_chars(text) == 2990
    _clean, errors = clean_section(overview, {"text": text})
    assert errors == {}
    _clean, errors = clean_section(overview, {"text": "质" * 3001})
    assert errors["text"] == "“组织概述”限 3000 字，当前 3001 字，请删减。"


# --- limits as printed -----------------------------------------------------------------------------------
def test_only_the_caps_the_documents_print_are_word_limits():
    """000 附件1/附件2 and 003 附件2 print these limits; nothing else is counted in 字数."""
    from applications.forms.spec import Field, Table, benchmark_form, individual_form

    def caps(spec):
        out = {}
        for section in spec.sections:
            for item in section.items:
                fields = item.columns if isinstance(item, Table) else (item,)
                out.update({f"{section.code}.{f.key}": f.max_chars for f in fields
                            if isinstance(f, Field) and f.max_chars})
        return out

    organization = organization_form(years=(2023, 2024, 2025), scoring_items=())
    assert caps(organization) == {"overview.text": 3000, "basic.feature": 25}  # 一 限3000字; 不超过25个字
    assert caps(individual_form()) == {"unit_opinion.unit_intro": 300, "unit_opinion.post_intro": 300}
    assert caps(benchmark_form()) == {"summary.name": 40, "summary.abstract": 500, "summary.profile": 500,
                                      "summary.practice": 8000, "summary.effect": 2000}
    totals = {s.code: s.total_max_chars for s in organization.sections if s.total_max_chars}
    assert totals == {"self_assessment": 50000, "features": 3000}
    assert {s.code: s.total_max_chars for s in individual_form().sections if s.total_max_chars} == {
        "achievements": 6000}


def test_the_units_opinion_has_no_invented_cap_and_a_single_line_only_a_technical_bound():
    from applications.forms.spec import LINE_MAX, individual_form

    spec = individual_form()
    unit = spec.section("unit_opinion")
    _clean, errors = clean_section(unit, {"recommendation": "经核实，材料真实。" * 400})  # 3,600 字
    assert "recommendation" not in errors
    _clean, errors = clean_section(unit, {"unit_name": "某" * (LINE_MAX + 1), "unit_postcode": "4500001"})
    assert errors["unit_name"].startswith(f"“工作单位名称”最多 {LINE_MAX} 个字符")
    assert "unit_postcode" in errors
