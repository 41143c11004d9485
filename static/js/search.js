/* Search page enhancement: on wide screens the filter panel stands open beside the results.
   search.css does the same where browsers support ::details-content; this covers the rest. */
(function () {
  "use strict";
  var panel = document.getElementById("filters");
  if (!panel || !window.matchMedia) {
    return;
  }
  var wide = window.matchMedia("(min-width: 64rem)");
  function openWhenWide() {
    if (wide.matches) {
      panel.open = true;
    }
  }
  openWhenWide();
  wide.addEventListener("change", openWhenWide);
})();
