/* Merken without leaving the page: the form is posted in the background, its status line
   (role="status") says what happened and the header's count follows. Without JavaScript,
   or when the request fails, the form is simply sent and the server brings the visitor
   back to the same place with the same confirmation (schooldesk/views.py). */
(function () {
  "use strict";
  if (!window.fetch || !window.FormData) {
    return;
  }

  function save(form) {
    // A detached form (search page) is pressed by a button elsewhere, tied by form="…".
    var offer = form.querySelector("input[name=offer]").value;
    var button =
      form.querySelector("button") || document.querySelector('button[form="' + form.id + '"]');
    var status = document.querySelector('[data-merken-status="' + offer + '"]');
    button.disabled = true;
    fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      credentials: "same-origin",
      headers: { "X-Requested-With": "fetch", Accept: "application/json" }
    })
      .then(function (response) {
        if (!response.ok) {
          throw new Error("status " + response.status);
        }
        return response.json();
      })
      .then(function (answer) {
        status.textContent = answer.message;
        document.querySelectorAll("[data-merkliste-count]").forEach(function (count) {
          count.textContent = answer.count;
        });
        button.disabled = false;
      })
      .catch(function () {
        form.submit();
      });
  }

  // The handout's print button needs JavaScript, so it is shown only with it.
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () {
      window.print();
    });
  });

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form instanceof HTMLFormElement && (form.classList.contains("merken") || form.classList.contains("merken-form"))) {
      event.preventDefault();
      save(form);
    }
  });
})();
