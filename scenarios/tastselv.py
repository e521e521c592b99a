"""An example scenario, the one `audit.example.toml` names: log in, open two pages.

Copy it for a real system. `playwright codegen --target python-pytest URL` records the body;
replace typed values by `citizen.cpr` and `citizen.secret("...")`, wrap phases in `step(...)`,
and end the login with an `expect` on something only a logged-in citizen sees.
"""

from playwright.sync_api import expect

from crawler.scenario import step


def run(page, citizen):
    with step("Log ind"):
        page.goto("https://tastselv.test.example.dk/")
        page.get_by_label("CPR-nummer").fill(citizen.cpr)
        page.get_by_label("Adgangskode").fill(citizen.secret("password"))
        page.get_by_role("button", name="Log ind").click()
        expect(page.locator("#welcome")).to_be_visible()  # proves the login
    with step("Årsopgørelse"):
        page.get_by_role("link", name="Årsopgørelse").click()
        page.wait_for_timeout(2000)  # analytics that send on timers
