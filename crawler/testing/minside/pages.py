"""MinSide's pages and the third parties' scripts, as text."""

from __future__ import annotations

BROKER_LOGIN = """<!doctype html><html lang="da"><title>NemLog-in</title>
<form method="post" action="/login"><input type="hidden" name="return" value="{back}">
<label>Bruger-id <input name="user"></label>
<label>Adgangskode <input type="password" name="password"></label>
<button>Næste</button></form>"""

BROKER_CODE = """<!doctype html><html lang="da"><title>NemLog-in: engangskode</title>
<form method="post" action="/kode"><input type="hidden" name="pending" value="{pending}">
<label>Engangskode <input name="code" inputmode="numeric"></label>
<button>Log ind</button></form>"""

# The router puts the citizen's CPR in the route, as a single-page app's router would.
APP = """<!doctype html><html lang="da"><title>Min side</title>
<script src="http://policy.cookieinfo.test/uc.js"></script>
<header><span id="welcome">Jens Testsen</span>
<a href="/log-af" onclick="return confirm('Vil du logge af?')">Log af</a></header>
<nav><a href="/app/post">Digital post</a> <a href="/app/kontakt">Kontaktoplysninger</a></nav>
<button id="gem">Gem kontaktoplysninger</button><p id="gemt" hidden>Gemt</p>
<script>
if (!location.pathname.includes("/borger/")) {{
  const section = location.pathname.split("/")[2] || "oversigt";
  history.pushState({{}}, "", "/app/borger/{cpr}/" + section);
}}
document.getElementById("gem").onclick = () => {{
  if (confirm("Vil du gemme dine kontaktoplysninger?")) {{
    document.getElementById("gemt").hidden = false;
  }}
}};
function statistics() {{
  if (window.CookieInformation && CookieInformation.getConsentGivenFor("cookie_cat_statistic")) {{
    new Image().src = "http://collect.analytics.test/g?dl=" + encodeURIComponent(location.href);
  }}
}}
addEventListener("CookieInformationConsentGiven", statistics);
statistics();
</script>
<script src="http://chat.supportchat.test/w.js"></script>"""

# A consent platform of the Cookie Information kind: a banner in #cookie-information-template-
# wrapper, the choice in window.CookieInformation and a cookie, an event when it is made.
CONSENT = """(function () {
  var found = document.cookie.match(/CookieInformationConsent=([^;]+)/);
  var state = found ? found[1] : null;
  function save(value) {
    document.cookie = "CookieInformationConsent=" + value + "; path=/";
    state = value;
    var banner = document.getElementById("cookie-information-template-wrapper");
    if (banner) banner.remove();
    window.dispatchEvent(new Event("CookieInformationConsentGiven"));
  }
  window.CookieInformation = {
    declineAllCategories: function () { save("declined"); },
    submitAllCategories: function () { save("accepted"); },
    getConsentGivenFor: function () { return state === "accepted"; }
  };
  if (state) return;
  document.addEventListener("DOMContentLoaded", function () {
    var banner = document.createElement("div");
    banner.id = "cookie-information-template-wrapper";
    banner.style = "position:fixed;left:0;right:0;bottom:0;background:#fff;border-top:2px solid";
    banner.innerHTML = "<p>Vi bruger cookies til statistik.</p>" +
      "<button id='ci-accept'>Accepter alle</button> <button id='ci-decline'>Afvis alle</button>";
    document.body.appendChild(banner);
    banner.querySelector("#ci-accept").onclick = window.CookieInformation.submitAllCategories;
    banner.querySelector("#ci-decline").onclick = window.CookieInformation.declineAllCategories;
  });
})();"""

# A support chat that greets every page, with its address, whatever the citizen chose.
CHAT = """new Image().src = "http://chat.supportchat.test/hello?page=" +
  encodeURIComponent(location.href);"""
