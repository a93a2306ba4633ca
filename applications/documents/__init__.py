"""Documents the portal produces: the PDF machinery and receipt (``services``), the dossier, the Word copy
(``docx``), printed decisions and certificates (``prints``), the PDF fonts (``fonts``), Excel files (``xlsx``,
``exports``), their Celery jobs (``tasks``) and the pages that order and serve them (``views``)."""
