"""The login MinSide's scenarios share: user id and password at the broker, then a one-time
code. Imported by the scenario beside it (`from minside_common import log_in`)."""

from playwright.sync_api import expect

from crawler.scenario import step


def log_in(page, citizen):
    with step("Log ind", login=True):
        page.goto("/")
        page.get_by_label("Bruger-id").fill(citizen.secret("user"))
        page.get_by_label("Adgangskode").fill(citizen.secret("password"))
        page.get_by_role("button", name="Næste").click()
    with step("Engangskode", login=True):
        page.get_by_label("Engangskode").fill(citizen.totp("totp"))
        page.get_by_role("button", name="Log ind").click()
        expect(page.get_by_text("Log af")).to_be_visible()
