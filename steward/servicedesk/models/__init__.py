from steward.servicedesk.models.mail import MailMessage
from steward.servicedesk.models.routing import Queue, Skill, TechnicianProfile
from steward.servicedesk.models.tickets import Attachment, Ticket, TicketEvent, TicketLink
from steward.servicedesk.models.work import RecurringTicket, Survey, TimeEntry, Timer

__all__ = [
    "Attachment",
    "MailMessage",
    "Queue",
    "RecurringTicket",
    "Skill",
    "Survey",
    "TechnicianProfile",
    "Ticket",
    "TicketEvent",
    "TicketLink",
    "TimeEntry",
    "Timer",
]
