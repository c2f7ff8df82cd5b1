from steward.portal.models.status import StatusPage

__all__ = ["StatusPage"]
