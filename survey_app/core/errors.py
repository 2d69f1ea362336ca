"""The base class of every expected failure: `VisesError`.

An expected failure is a problem of the input, not of the code: an impossible setting
(ConfigError), a broken questionnaire file (QuestionnaireError), a name that names nothing
(UnknownEnterprise, UnknownCampaign), a backup that cannot be made (MaintenanceError), catalogs
not compiled (MissingCatalogs). Its message says what is wrong and how to fix it, so a command
prints it as is (`core.cli.clean_errors`) instead of a traceback. Anything else that escapes is a
bug and keeps its traceback.
"""

from __future__ import annotations


class VisesError(Exception):
    """An expected problem whose message names the fix; commands print it and exit with status 1."""
