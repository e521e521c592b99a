"""TastSelv Borger (KMD): log in, read the overview and the annual statement."""

from playwright.sync_api import expect

from crawler.scenario import step


def run(page, citizen):
    with step("Log ind", login=True):
        page.goto("http://tastselv.skat.test/")
        page.get_by_label("CPR-nummer").fill(citizen.cpr)
        page.get_by_label("Adgangskode").fill(citizen.secret("password"))
        page.get_by_role("button", name="Log ind").click()
        expect(page.locator("#welcome")).to_be_visible()
        page.wait_for_timeout(2000)  # the second analytics vendor's beacon leaves 1.5 s after load
    with step("Årsopgørelse"):
        page.get_by_role("link", name="Årsopgørelse", exact=True).click()
        expect(page.get_by_role("heading", name="Årsopgørelse 2019")).to_be_visible()
        page.wait_for_timeout(2000)
