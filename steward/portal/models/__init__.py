from steward.portal.models.approvals import Approval
from steward.portal.models.status import StatusPage

__all__ = ["Approval", "StatusPage"]
