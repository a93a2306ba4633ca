"""The initial opinion's four parts as the seed's forms print them: 000 附件1 五 for organizations,
附件2 五 for individuals (part 三 is the bureau's own publicity only)."""
from applications.models import Application
from review.prereview.models import InitialOpinion


def test_part_three_follows_the_form_of_the_application():
    org = dict(InitialOpinion.parts_for(Application.Kind.ORGANIZATION))
    individual = dict(InitialOpinion.parts_for(Application.Kind.INDIVIDUAL))
    assert org["publicity"] == "三、推荐组织和本部门公示情况"
    assert individual["publicity"] == "三、本部门公示情况"
    assert [k for k in org] == [k for k in individual] == ["verification", "consultation", "publicity", "opinion"]
    assert {k: v for k, v in org.items() if k != "publicity"} == {k: v for k, v in individual.items() if k != "publicity"}


def test_the_signed_text_of_an_individual_carries_its_own_heading():
    opinion = InitialOpinion(application=Application(kind=Application.Kind.INDIVIDUAL), verification="核实",
                             consultation="已征求公安、纪检部门意见", publicity="公示5个工作日无异议", opinion="同意推荐")
    assert "三、本部门公示情况\n公示5个工作日无异议" in opinion.compose_text()
    assert "推荐组织" not in opinion.compose_text()
