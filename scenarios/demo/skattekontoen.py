"""Skattekontoen: log in and open the account, where a support-chat widget loads."""

from playwright.sync_api import expect

from crawler.scenario import step


def run(page, citizen):
    with step("Log ind"):
        page.goto("http://skattekontoen.skat.test/")
        page.get_by_label("CPR-nummer").fill(citizen.cpr)
        page.get_by_label("Adgangskode").fill(citizen.secret("password"))
        page.get_by_role("button", name="Log ind").click()
        expect(page.locator("#welcome")).to_be_visible()
    with step("Skattekonto"):
        page.wait_for_timeout(1500)  # the chat widget connects after load
