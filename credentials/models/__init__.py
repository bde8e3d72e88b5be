from .accounts import ContactProfile, User
from .catalog import CredentialType, RequirementSet
from .claims import Claim, ClaimState, HolderMerge
from .content import FaqEntry, OfficeContact
from .exports import ExportFormat, ExportKind, SeasonExport
from .holdings import Credential, CredentialStatus
from .imports import ImportBatch, ImportedRow
from .issuing import IssueRun, IssueRunChunk
from .outbox import OutboxMessage
from .packets import PacketBuild, PacketBuildItem, PacketToken
from .renewals import Renewal, RenewalCredential
from .versions import ContentVersion

__all__ = [
    "Claim",
    "ClaimState",
    "ContactProfile",
    "ContentVersion",
    "Credential",
    "CredentialStatus",
    "CredentialType",
    "ExportFormat",
    "ExportKind",
    "FaqEntry",
    "HolderMerge",
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
    "SeasonExport",
    "RenewalCredential",
    "RequirementSet",
    "User",
]
