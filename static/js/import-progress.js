/* The progress page of a running offer import (admin): it asks the same address every two
   seconds and puts the new progress into the page, and shows the whole page again once the
   import has ended. No timed refresh of the page itself, which would move a screen reader
   back to the top every time (WCAG 2.2.1); without JavaScript the link on the page reloads
   it. */
(function () {
  "use strict";
  var status = document.getElementById("import-status");
  if (!status || !window.fetch || !window.DOMParser) {
    return;
  }
  var DELAY = 2000;

  function check() {
    fetch(window.location.href, { credentials: "same-origin" })
      .then(function (response) {
        return response.ok ? response.text() : null;
      })
      .then(
        function (html) {
          if (html === null) {
            window.setTimeout(check, DELAY);
            return;
          }
          var page = new DOMParser().parseFromString(html, "text/html");
          var fresh = page.getElementById("import-status");
          if (!fresh || !fresh.hasAttribute("data-import-running")) {
            window.location.reload(); // ended: the report, written or refused
            return;
          }
          status.innerHTML = fresh.innerHTML;
          window.setTimeout(check, DELAY);
        },
        function () {
          window.setTimeout(check, DELAY);
        }
      );
  }

  window.setTimeout(check, DELAY);
})();
