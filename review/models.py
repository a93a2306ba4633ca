"""The review app's models, one module per sub-domain; imported here so Django registers them with this app
(app label ``review``, so the migrations stay as they are). Code imports them from their own module."""
from .awards.models import (  # noqa: F401
    Award, ProcedureDecision, Recovery, Sanction, SelfAssessmentReminder, SelfAssessmentReport)
from .committee.models import Ballot, VoteCandidate, VoterRoll, VoteSession  # noqa: F401
from .insights.models import ExpertItemCalibration  # noqa: F401
from .panels.models import ExpertProfile, ExpertRelationship, Panel, PanelDraw, PanelMember, Pledge, Recusal  # noqa: F401
from .prereview.models import (  # noqa: F401
    AuthorityPublicity, CandidatePoolEntry, DepartmentOpinion, GovernmentOpinion, InitialOpinion, ReturnedSection,
    ReturnRequest,
    SectionCheck, UploadedScan,
)
from .scoring.models import (  # noqa: F401
    Defense, ItemScore, OnsiteVisit, PanelItemScore, ReportRelease, ScoreCorrection, ScoreSheet, StageResult,
)
