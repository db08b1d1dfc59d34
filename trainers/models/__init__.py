"""Trainers' models: certification and what follows from it (certification.py), and the turnkey
trainings trainers plan and run through the portal (trainings.py), agencies' requests for
trainers and hosts (requests.py), and mentoring (mentoring.py)."""

from trainers.models.certification import (
    COMMITMENT_DAYS,
    DUE_SOON_DAYS,
    Certification,
    CommitmentState,
    FacilitationReport,
    Honorarium,
    HonorariumRate,
    TrainerProfile,
    commitment_state,
    new_code,
    rate_in_force,
    state_on,
)
from trainers.models.mentoring import MentoringMeeting, MentorOffer, Mentorship
from trainers.models.requests import RequestOffer, TrainingRequest
from trainers.models.trainings import (
    CHECK_IN_CLOSES_AFTER,
    CHECK_IN_OPENS_BEFORE,
    CHECKLIST,
    CoFacilitator,
    Recognition,
    Registration,
    SessionAttendance,
    TrainingSession,
    TurnkeyTraining,
)

__all__ = [
    "CHECKLIST",
    "CHECK_IN_CLOSES_AFTER",
    "CHECK_IN_OPENS_BEFORE",
    "COMMITMENT_DAYS",
    "DUE_SOON_DAYS",
    "Certification",
    "CoFacilitator",
    "CommitmentState",
    "FacilitationReport",
    "Honorarium",
    "HonorariumRate",
    "MentorOffer",
    "MentoringMeeting",
    "Mentorship",
    "Recognition",
    "Registration",
    "RequestOffer",
    "SessionAttendance",
    "TrainerProfile",
    "TrainingRequest",
    "TrainingSession",
    "TurnkeyTraining",
    "commitment_state",
    "new_code",
    "rate_in_force",
    "state_on",
]
