"""Forskud: log in and read the preliminary income assessment."""

from playwright.sync_api import expect

from crawler.scenario import step


def run(page, citizen):
    with step("Log ind"):
        page.goto("http://forskud.skat.test/")
        page.get_by_label("CPR-nummer").fill(citizen.cpr)
        page.get_by_label("Adgangskode").fill(citizen.secret("password"))
        page.get_by_role("button", name="Log ind").click()
        expect(page.locator("#welcome")).to_be_visible()
    with step("Indkomst"):
        page.get_by_role("link", name="Indkomst").click()
        page.wait_for_timeout(1000)
