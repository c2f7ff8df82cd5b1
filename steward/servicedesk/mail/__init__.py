"""Email in and out of the service desk.

In: ``inbound.receive`` turns one raw message into a ticket, a reply, a triage entry or a
dropped loop, and always records a ``MailMessage`` (the raw bytes kept by hash). The SMTP
listener (``smtpd``, ``steward mail-in``) and the IMAP poller (``imap``, ``steward mail-poll``)
both feed it. Out: ``outbound.send_ticket_mail`` is the one choke point; ``receivers`` mails
public staff replies and resolutions after the verb's transaction commits.
"""
