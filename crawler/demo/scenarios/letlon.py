"""LetLøn (IBM): log in. The login answers 503, so this scenario cannot prove a login."""

from playwright.sync_api import expect

from crawler.scenario import step


def run(page, citizen):
    with step("Log ind", login=True):
        page.goto("http://letlon.skat.test/")
        page.get_by_label("CPR-nummer").fill(citizen.cpr)
        page.get_by_label("Adgangskode").fill(citizen.secret("password"))
        page.get_by_role("button", name="Log ind").click()
        expect(page.locator("#welcome")).to_be_visible(timeout=5000)
