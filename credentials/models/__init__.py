from .accounts import ContactProfile, User
from .catalog import CredentialType, RequirementSet
from .content import FaqEntry, OfficeContact
from .holdings import Credential, CredentialStatus
from .imports import ImportBatch, ImportedRow
from .issuing import IssueRun, IssueRunChunk
from .outbox import OutboxMessage
from .packets import PacketBuild, PacketBuildItem, PacketToken
from .renewals import Renewal, RenewalCredential

__all__ = [
    "ContactProfile",
    "Credential",
    "CredentialStatus",
    "CredentialType",
    "FaqEntry",
    "ImportBatch",
    "ImportedRow",
    "IssueRun",
    "IssueRunChunk",
    "OfficeContact",
    "OutboxMessage",
    "PacketBuild",
    "PacketBuildItem",
    "PacketToken",
    "Renewal",
    "RenewalCredential",
    "RequirementSet",
    "User",
]
