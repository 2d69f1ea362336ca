"""Browser: an admin uploads a real Kobo form, reads the preview, maps a question, registers it;
axe finds no serious or critical violation on the upload and preview pages."""

import pytest
from playwright.sync_api import expect

from tests.app_support import ARTIFACTS, PASSWORD

pytestmark = pytest.mark.browser


def serious(page) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    violations = Axe().run(page).response["violations"]
    return [f"{v['id']}: {v['help']}" for v in violations if v["impact"] in ("serious", "critical")]


def test_admin_imports_a_workbook_in_the_browser(browser, live_server, world, corpus, app):
    context = browser.new_context(viewport={"width": 1024, "height": 900})
    office = context.new_page()
    office.goto(f"{live_server}/login?lang=en")
    office.get_by_label("E-mail address").fill("admin@example.org")
    office.get_by_label("Password").fill(PASSWORD)
    office.get_by_role("button", name="Sign in").click()
    with office.expect_navigation():
        office.get_by_role("link", name="Questionnaires", exact=True).click()
    found = {"upload page": serious(office)}
    office.get_by_label("XLSForm workbook (.xlsx, at most 2 MB)").set_input_files(
        str(corpus / "onadata__multi_lingual_form.xlsx")
    )
    office.get_by_label("Stakeholder group").select_option("partners")
    office.get_by_role("button", name="Show the preview").click()
    expect(office.get_by_role("heading", name="Preview of the imported form")).to_be_visible()
    expect(office.get_by_text("Page 1: Group 1")).to_be_visible()
    office.get_by_text("Français (fr)").click()  # open the French pages
    expect(office.get_by_text("Page 1: Groupe1")).to_be_visible()
    found["preview"] = serious(office)
    ARTIFACTS.mkdir(exist_ok=True)
    office.screenshot(path=str(ARTIFACTS / "xlsform-preview.png"), full_page=True)
    office.get_by_role("button", name="Register the questionnaire").click()
    expect(office.get_by_text("Questionnaire multi_lingual_export version 1 is registered.")).to_be_visible()
    assert app.extensions["vises.registry"].get("multi_lingual_export", 1).stakeholder_group == "partners"
    context.close()
    assert found == {name: [] for name in found}
