"""Identity and visibility: users, sessions, sign-in (blueprint "auth"), guards and per-user scoping.
May import the base (core, storage), web; never another slice.
"""
