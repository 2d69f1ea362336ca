"""Helpers of the export tests: prepare a file in the background through the export page, as a
manager would (start it, watch the page until the link appears, follow it)."""

from __future__ import annotations

import re
import time

JOB_LINK = re.compile(r'href="(/admin/campaigns/\d+/export/jobs/(\d+))"')
NEWEST = re.compile(r'<tr id="export-job-(\d+)">')  # jobs are listed newest first


def start_export(office, campaign: int, kind: str, **params):
    return office.post(f"/admin/campaigns/{campaign}/export/jobs/", {"language": "en", "kind": kind, **params})


def ready_link(office, campaign: int, timeout: float = 30) -> str:
    """The download link of the newest ready file, once the export page shows one."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        page = office.get(f"/admin/campaigns/{campaign}/export/").get_data(as_text=True)
        newest, found = NEWEST.search(page), JOB_LINK.search(page)
        if newest and found and found.group(2) == newest.group(1):  # not an older file's link
            return found.group(1)
        time.sleep(0.05)
    raise AssertionError(f"no export file ready after {timeout} s")


def prepared_file(office, campaign: int, kind: str, **params):
    """Start an export of `kind`, wait until it is ready and download it (the response)."""
    assert start_export(office, campaign, kind, **params).status_code == 303
    return office.get(ready_link(office, campaign))
