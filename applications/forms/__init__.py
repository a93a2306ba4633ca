"""The applicant's form: the forms as data (``spec``), section saves with versions and the submission
snapshot (``services``), uploads judged by content (``uploads``), the one definition of 字数 (``textcount``),
and the pages that edit them (``views``, ``forms``)."""
