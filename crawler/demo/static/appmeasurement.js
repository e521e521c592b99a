/* Demo marketing analytics on metrics.marketingcloud.test: stands in for Adobe's
   AppMeasurement. Its beacon leaves a moment after load and carries the page URL as `g`. */
(function () {
  setTimeout(function () {
    var query = "AQB=1&ndh=1&pageName=" + encodeURIComponent(document.title) +
      "&g=" + encodeURIComponent(location.href) + "&AQE=1";
    new Image().src = "http://metrics.marketingcloud.test/b/ss/skatdk/1/JS-2.0/s" + Date.now() + "?" + query;
  }, 1500);
})();
