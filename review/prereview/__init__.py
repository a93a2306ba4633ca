"""The recommending authority's pre-review (推荐单位初审): checklist, per-section returns, department
opinions, its publicity record, the signed initial opinion, the government opinion and the guards on
``recommend``; the bureau's list and the diff between submitted versions (``selectors``)."""
