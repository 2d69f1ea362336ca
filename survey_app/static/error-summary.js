// Progressive enhancement of the error summary (GOV.UK pattern): focus it when the page loads (where
// the autofocus attribute was not honoured), and let each of its links put focus in its field with
// the field's label in view. Without this script the summary comes first and its links still work.
(function () {
  "use strict";
  var summary = document.getElementById("error-summary");
  if (!summary) { return; }
  if (document.activeElement !== summary) { summary.focus(); }
  summary.addEventListener("click", function (event) {
    var link = event.target.closest("a[href^='#']");
    var field = link && document.getElementById(link.getAttribute("href").slice(1));
    if (!field) { return; }
    event.preventDefault();
    var label = document.querySelector("label[for='" + field.id + "']") || field.closest("fieldset") || field;
    label.scrollIntoView();
    field.focus({ preventScroll: true });
  });
})();
