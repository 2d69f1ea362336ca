// Optional: a "Listen" button that reads the question and its answers aloud with the browser's
// speech synthesis, in the page's language. Added only where the questionnaire has no recording
// (those play in a plain <audio> control) and only when the browser has a voice for the language.
(function () {
  "use strict";
  var synth = window.speechSynthesis;
  var places = document.querySelectorAll("[data-speak]");
  if (!synth || !places.length || typeof window.SpeechSynthesisUtterance !== "function") { return; }
  var lang = (document.documentElement.lang || "").toLowerCase();

  function voice() {
    return synth.getVoices().filter(function (v) {
      return (v.lang || "").toLowerCase().replace("_", "-").split("-")[0] === lang;
    })[0];
  }
  function text(block) {
    return Array.prototype.map.call(block.querySelectorAll("[data-speak-text]"), function (el) {
      return el.textContent.replace(/\s+/g, " ").trim();
    }).filter(Boolean).join(". ");
  }
  function add() {
    var chosen = voice();
    if (!chosen || document.querySelector(".easy-speak")) { return; }
    places.forEach(function (place) {
      var block = document.getElementById(place.getAttribute("data-speak-for")) || document;
      var button = document.createElement("button");
      button.type = "button";
      button.className = "button button-secondary easy-speak";
      button.textContent = place.getAttribute("data-speak-label");
      button.addEventListener("click", function () {
        synth.cancel();
        var utterance = new window.SpeechSynthesisUtterance(text(block));
        utterance.lang = chosen.lang;
        try { utterance.voice = chosen; } catch (ignore) { /* the language alone picks a voice */ }
        synth.speak(utterance);
      });
      place.appendChild(button);
    });
  }
  add();
  if (synth.addEventListener) { synth.addEventListener("voiceschanged", add); }
})();
