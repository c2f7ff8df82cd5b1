from django.db import models


class Role(models.TextChoices):
    OWNER = "owner", "Owner"
    ADMIN = "admin", "Administrator"
    SERVICE_MANAGER = "service_manager", "Service manager"
    DISPATCHER = "dispatcher", "Dispatcher"
    TECHNICIAN = "technician", "Technician"
    ACCOUNT_MANAGER = "account_manager", "Account manager"
    AUDITOR = "auditor", "Auditor"
    CLIENT_CONTACT = "client_contact", "Client contact"


class ClientStatus(models.TextChoices):
    PROSPECT = "prospect", "Prospect"
    ACTIVE = "active", "Active"
    ONBOARDING = "onboarding", "Onboarding"
    OFFBOARDED = "offboarded", "Offboarded"


class ClientSize(models.TextChoices):
    SMALL = "small", "Small (1-25 seats)"
    MEDIUM = "medium", "Medium (26-150 seats)"
    LARGE = "large", "Large (151+ seats)"


class TokenScope(models.TextChoices):
    READ = "read", "Read"
    WRITE = "write", "Write"
    ADMIN = "admin", "Administer users and tokens"
