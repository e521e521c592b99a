"""Forskud (KMD): log in, read the preliminary income assessment and the income page."""

from playwright.sync_api import expect

from crawler.scenario import step


def run(page, citizen):
    with step("Log ind", login=True):
        page.goto("http://forskud.skat.test/")
        page.get_by_label("CPR-nummer").fill(citizen.cpr)
        page.get_by_label("Adgangskode").fill(citizen.secret("password"))
        page.get_by_role("button", name="Log ind").click()
        expect(page.locator("#welcome")).to_be_visible()
        expect(page.locator("#status")).to_have_text("Din forskudsopgørelse er opdateret.")
    with step("Indkomst"):
        page.get_by_role("link", name="Indkomst").click()
        expect(page.get_by_role("heading", name="Indkomst")).to_be_visible()
        page.wait_for_timeout(1000)
