"""Skattekontoen (KMD): log in and look at the balance and the entries."""

from playwright.sync_api import expect

from crawler.scenario import step


def run(page, citizen):
    with step("Log ind", login=True):
        page.goto("http://skattekontoen.skat.test/")
        page.get_by_label("CPR-nummer").fill(citizen.cpr)
        page.get_by_label("Adgangskode").fill(citizen.secret("password"))
        page.get_by_role("button", name="Log ind").click()
        expect(page.locator("#welcome")).to_be_visible()
        expect(
            page.get_by_role("button", name="Chat med os")
        ).to_be_visible()  # the chat widget loaded
        page.wait_for_timeout(1000)
    with step("Posteringer"):
        page.get_by_role("link", name="Posteringer").click()
        expect(page.get_by_role("heading", name="Posteringer")).to_be_visible()
        page.wait_for_timeout(1000)
