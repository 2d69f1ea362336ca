// Optional: the keyboard-first answer entry screen. The key shown beside an answer chooses it
// (for 10 on a 0-10 scale: 1 then 0 within a second); Enter goes to the next question shown, then
// to the save button. Without this script the form is an ordinary form (Tab, arrows, Space).
(function () {
  "use strict";
  var form = document.querySelector("form.entry-form");
  if (!form) { return; }
  var blocks = Array.prototype.slice.call(form.querySelectorAll("[data-entry]"));
  var last = { block: null, key: "", time: 0 };

  function target(block) {
    return block.querySelector("input:checked") || block.querySelector("input, textarea");
  }
  function next(block) {
    for (var i = blocks.indexOf(block) + 1; i < blocks.length; i++) {
      if (!blocks[i].hidden) { target(blocks[i]).focus(); return; }
    }
    document.getElementById("entry-submit").focus();
  }
  function pick(block, key) {
    var input = block.querySelector("input[data-key='" + key + "']");
    if (!input) { return false; }
    input.checked = input.type === "checkbox" ? !input.checked : true;
    input.focus();
    input.dispatchEvent(new Event("change", { bubbles: true }));
    return true;
  }

  form.addEventListener("keydown", function (event) {
    var block = event.target.closest("[data-entry]");
    if (!block || event.ctrlKey || event.altKey || event.metaKey) { return; }
    var tag = event.target.tagName;
    var typing = tag === "TEXTAREA" || (tag === "INPUT" && event.target.type === "text");
    if (event.key === "Enter") {
      if (tag === "TEXTAREA" && event.shiftKey) { return; }
      event.preventDefault();
      next(block);
      return;
    }
    if (typing || event.key.length !== 1) { return; }
    var key = event.key.toLowerCase(), now = Date.now();
    var ten = key === "0" && last.block === block && last.key === "1" && now - last.time < 1000;
    if (pick(block, ten ? "10" : key)) {
      event.preventDefault();
      last = { block: block, key: ten ? "" : key, time: now };
    }
  });

  if (!document.querySelector(".error-summary") && blocks.length) { target(blocks[0]).focus(); }
})();
