// Optional, on a shared tablet: after a while without activity, a warning; without an answer,
// the tablet is cleared for the next person. "I am still here" saves the page and carries on.
// Without this script the page moves to a warning page by itself (meta refresh in <noscript>),
// and the server clears an idle draft anyway.
(function () {
  "use strict";
  // A page that goes back by itself (thank-you, warning, cleared): the <noscript> refresh's twin.
  var back = document.getElementById("kiosk-return");
  if (back) {
    window.setTimeout(function () { window.location.replace(back.getAttribute("data-url")); },
      Number(back.getAttribute("data-seconds")) * 1000);
  }
  var timer = document.getElementById("kiosk-timer");
  if (!timer) { return; }
  var idle = Number(timer.getAttribute("data-idle")) * 1000;
  var warning = Number(timer.getAttribute("data-warning")) * 1000;
  var cleared = timer.getAttribute("data-cleared");
  var form = document.getElementById("survey-form");
  var waiting = null, clearing = null, lastSave = Date.now(), before = null;

  function clear() { window.location.replace(cleared); }
  function warn() {
    before = document.activeElement;
    timer.hidden = false;
    timer.querySelector(".kiosk-warning").focus();
    clearing = window.setTimeout(clear, warning);
  }
  function keepAlive() {
    // Save the page as it stands (a language "switch" to the same language saves and stays), so the
    // server's idle clock restarts while someone is still answering.
    if (!form || Date.now() - lastSave < idle / 2) { return; }
    lastSave = Date.now();
    var data = new FormData(form);
    data.set("lang", document.documentElement.lang);
    window.fetch(form.action, { method: "POST", body: new URLSearchParams(data), credentials: "same-origin", redirect: "manual" });
  }
  function active() {
    if (!timer.hidden) { return; }
    window.clearTimeout(waiting);
    waiting = window.setTimeout(warn, idle);
    keepAlive();
  }
  document.getElementById("kiosk-still-here").addEventListener("click", function () {
    window.clearTimeout(clearing);
    timer.hidden = true;
    lastSave = 0;
    active();
    if (before && before.focus) { before.focus(); }  // back where the person was
  });
  ["pointerdown", "keydown", "input", "scroll", "touchstart"].forEach(function (name) {
    document.addEventListener(name, active, { passive: true });
  });
  // A page restored from the back-forward cache is reloaded, so the server decides what it shows.
  window.addEventListener("pageshow", function (event) { if (event.persisted) { window.location.reload(); } });
  active();
})();
