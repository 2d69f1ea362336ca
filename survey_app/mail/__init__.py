"""Every outgoing e-mail (invitations, reminders, digest), its one renderer, the SMTP sender, the addresses.
May import the base, web and accounts; never pipeline, backoffice or results.
"""
