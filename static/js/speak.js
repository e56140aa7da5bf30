/* speak.js: the phone's "Listen" button reads the current card aloud (its question, the
   instruction and every choice) with the browser's own speechSynthesis, in the page's
   language; no network service. Without speechSynthesis the button stays hidden. */
(function () {
  "use strict";
  var synth = window.speechSynthesis;
  if (!synth || !window.SpeechSynthesisUtterance) { return; }
  var root = document.documentElement;
  root.className += " can-speak";
  var PARTS = "h1, h2, .lead, .help:not([hidden]), label[for], .option-text, .pair-card";
  var speaking = null;

  function say(button, pressed) {
    button.setAttribute("aria-pressed", pressed ? "true" : "false");
  }

  function textsOf(card) {
    var found = [];
    var nodes = card.querySelectorAll(PARTS);
    for (var i = 0; i < nodes.length; i++) {
      var text = (nodes[i].textContent || "").replace(/\s+/g, " ").trim();
      if (text) { found.push(text); }
    }
    return found;
  }

  function voiceFor(lang) {
    var voices = synth.getVoices ? synth.getVoices() : [];
    var near = null;
    for (var i = 0; i < voices.length; i++) {
      var tag = (voices[i].lang || "").replace("_", "-").toLowerCase();
      if (tag === lang + "-ca") { return voices[i]; }
      if (!near && tag.split("-")[0] === lang) { near = voices[i]; }
    }
    return near;
  }

  function stop() {
    synth.cancel();
    if (speaking) { say(speaking, false); }
    speaking = null;
  }

  function read(button) {
    var card = button.closest ? button.closest(".card") : null;
    if (!card) { return; }
    var lang = root.getAttribute("lang") || "fr";
    var voice = voiceFor(lang);
    var texts = textsOf(card);
    speaking = button;
    say(button, true);
    for (var i = 0; i < texts.length; i++) {
      var utterance = new window.SpeechSynthesisUtterance(texts[i]);
      utterance.lang = lang === "fr" ? "fr-CA" : "en-CA";
      if (voice) { utterance.voice = voice; }
      utterance.rate = 0.9;
      if (i === texts.length - 1) {
        utterance.onend = utterance.onerror = function () {
          if (speaking === button) { say(button, false); speaking = null; }
        };
      }
      synth.speak(utterance);
    }
  }

  /* Delegated: the panel is redrawn when the room moves on, the listener stays. */
  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("[data-read-aloud]") : null;
    if (!button) { return; }
    event.preventDefault();
    var again = speaking === button;
    stop();
    if (!again) { read(button); }
  });
  /* A new view (another vote, the results) silences what was being read. */
  window.addEventListener("pagehide", stop);
  var panel = document.getElementById("panel");
  if (panel && window.MutationObserver) {
    new window.MutationObserver(function () {
      if (speaking && !document.body.contains(speaking)) { stop(); }
    }).observe(panel, { childList: true, subtree: true });
  }
})();
