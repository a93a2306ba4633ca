"""Expert scoring against GB/T 19580 per stage: score sheets, consensus, corrections, the on-site visit,
the stage's conclusion, the ranking, finalist decisions and the review report; Excel exports of the
scores (``exports``)."""
