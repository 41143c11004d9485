/* The page a PDF address answers while the job queue makes the PDF (operations/pdfs.py):
   it asks the same address every few seconds (HEAD, nothing is made twice) and shows the
   PDF, or why it could not be made, as soon as there is one. No timed refresh of the page
   itself; without JavaScript the visitor reloads it. */
(function () {
  "use strict";
  var waiting = document.querySelector("[data-pdf-waiting]");
  if (!waiting || !window.fetch) {
    return;
  }
  var delay = (Number(waiting.getAttribute("data-pdf-waiting")) || 3) * 1000;

  function check() {
    fetch(window.location.href, { method: "HEAD", credentials: "same-origin" }).then(
      function (response) {
        var type = response.headers.get("Content-Type") || "";
        if (type.indexOf("application/pdf") === 0 || response.status === 503) {
          window.location.reload();
        } else {
          window.setTimeout(check, delay);
        }
      },
      function () {
        window.setTimeout(check, delay);
      }
    );
  }

  window.setTimeout(check, delay);
})();
