"""专家评审: everything between submission and the award, one package per sub-domain (prereview, eligibility,
panels, scoring, committee, awards), each shaped alike: models, services, selectors, forms, views, urls,
tasks. Imports ``applications`` and ``qualityaward.accounts``, never ``publicity``."""
