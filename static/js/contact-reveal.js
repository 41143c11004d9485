/* Shows a contact's e-mail address in place when its button is pressed, instead of on a page
   of its own. The page itself never holds the address (offers/views/contact.py); without
   JavaScript the form is simply sent and the browser shows the answer page. */
(function () {
  "use strict";
  if (!window.fetch || !window.DOMParser) {
    return;
  }

  function answerOf(html) {
    var page = new DOMParser().parseFromString(html, "text/html");
    return page.querySelector(".email-revealed") || page.querySelector(".email-reveal-notice");
  }

  function reveal(form) {
    var button = form.querySelector("button");
    button.disabled = true;
    fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      credentials: "same-origin",
      headers: { "X-Requested-With": "fetch" }
    })
      .then(function (response) {
        return response.text();
      })
      .then(function (html) {
        var answer = answerOf(html);
        if (!answer) {
          throw new Error("no answer in the page");
        }
        var shown = document.importNode(answer, true);
        if (shown.tagName === "A") {
          // Keyboard and screen reader users land on what replaced the button.
          form.replaceWith(shown);
          shown.focus();
        } else {
          var earlier = form.nextElementSibling;
          if (earlier && earlier.classList.contains("email-reveal-notice")) {
            earlier.remove();
          }
          shown.setAttribute("role", "status");
          form.after(shown);
          button.disabled = false;
        }
      })
      .catch(function () {
        form.submit();
      });
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form instanceof HTMLFormElement && form.classList.contains("email-reveal")) {
      event.preventDefault();
      reveal(form);
    }
  });
})();
