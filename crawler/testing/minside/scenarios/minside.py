"""MinSide: log in (unless a saved login is reused), then save the contact details, which asks
for confirmation."""

from minside_common import log_in
from playwright.sync_api import expect

from crawler.scenario import step


def run(page, citizen, system):
    if not system.login_reused:
        log_in(page, citizen)
    with step("Kontaktoplysninger"):
        page.goto("/app/kontakt")
        page.get_by_role("button", name="Gem kontaktoplysninger").click()
        expect(page.get_by_text("Gemt")).to_be_visible()
