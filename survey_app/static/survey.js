// Optional: hide or show questions that depend on an answer on the same page, as the respondent
// answers. Without this script the server decides the same thing (and the page says so in words).
(function () {
  "use strict";
  var form = document.getElementById("survey-form");
  if (!form) { return; }
  var blocks = form.querySelectorAll("[data-show-if]");
  function update() {
    blocks.forEach(function (block) {
      var wanted = block.getAttribute("data-show-values").split(" ");
      var inputs = form.querySelectorAll("[name='" + block.getAttribute("data-show-if") + "']");
      var parentBlock = inputs.length ? inputs[0].closest(".question") : null;
      var show = !(parentBlock && parentBlock.hidden) && Array.prototype.some.call(inputs, function (input) {
        return input.checked && wanted.indexOf(input.value) !== -1;
      });
      block.hidden = !show;
      var note = block.querySelector(".condition");
      if (note) { note.hidden = true; }
    });
  }
  form.addEventListener("change", update);
  update();
})();
