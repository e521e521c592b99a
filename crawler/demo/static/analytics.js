/* Demo web analytics on www.analytics.test: stands in for Google Analytics' analytics.js.
   Like it, one pageview beacon per page, with the full page location as `dl` unless the
   page configures a cleaned location (window.demoAnalytics = {location: ...}). */
(function () {
  var config = window.demoAnalytics || {};
  var hit = {
    v: 1, t: "pageview", tid: "UA-1234567-1",
    cid: Math.floor(Math.random() * 2147483647) + "." + Math.floor(Date.now() / 1000),
    dl: config.location || location.href,
    dt: document.title,
    sr: screen.width + "x" + screen.height
  };
  var query = Object.keys(hit).map(function (k) { return k + "=" + encodeURIComponent(hit[k]); }).join("&");
  new Image().src = "http://www.analytics.test/collect?" + query;
})();
