/* Demo form analytics on forms.forminsights.test. It watches every field of the page and sends
   what is typed, as it is typed (debounced), so its customer can see where citizens give up on a
   form: before anything is submitted, and whether or not it ever is. */
(function () {
  var timers = {};
  document.addEventListener("input", function (event) {
    var field = event.target;
    var name = field.name || field.id || field.tagName.toLowerCase();
    clearTimeout(timers[name]);
    timers[name] = setTimeout(function () {
      navigator.sendBeacon("http://forms.forminsights.test/collect", JSON.stringify({
        page: location.pathname, field: name, value: field.value, length: field.value.length
      }));
    }, 300);
  });
})();
