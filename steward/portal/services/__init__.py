"""The portal's verbs: sign-in links and approvals (STYLE.md §2)."""

from steward.portal.services.approvals import ApprovalError, decide, request_approval
from steward.portal.services.signin_links import (
    LINK_LIFETIME,
    LinkError,
    link_expired,
    make_link_token,
    send_signin_links,
    user_from_link_token,
)

__all__ = [
    "LINK_LIFETIME",
    "ApprovalError",
    "LinkError",
    "decide",
    "link_expired",
    "make_link_token",
    "request_approval",
    "send_signin_links",
    "user_from_link_token",
]
