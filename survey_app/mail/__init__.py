"""Every outgoing e-mail (invitations, reminders, digest), the SMTP sender and the e-mail addresses.
May import the base, web and accounts; never pipeline, backoffice or results.
"""
