/* phone.js: live updates for the phone page: swap the panel when the room moves on,
   dot steppers with a live remainder, and commands sent with fetch and retried. */
(function () {
  "use strict";
  var live = window.WorkshopLive;
  var panel = document.getElementById("panel");
  if (!live || !panel || !window.fetch) { return; }
  var code = panel.getAttribute("data-code");
  var panelUrl = panel.getAttribute("data-panel-url");
  var refreshing = false;
  var queued = null;

  function viewKey(state) {
    var round = state.round;
    return [state.phase, round ? round.id : "", round ? round.status : "",
      round ? (round.revealed ? "True" : "False") : ""].join(":");
  }

  function currentKey() {
    var inner = panel.querySelector("[data-view-key]");
    return inner ? inner.getAttribute("data-view-key") : "";
  }

  /* Swap the live parts (idea lists) in place, leaving the form being typed in alone;
     say false if the fresh fragment has a part this page lacks. */
  function swapParts(fresh) {
    var parts = fresh.querySelectorAll("[data-live]");
    for (var i = 0; i < parts.length; i++) {
      if (!panel.querySelector('[data-live="' + parts[i].getAttribute("data-live") + '"]')) {
        return false;
      }
    }
    for (var j = 0; j < parts.length; j++) {
      var old = panel.querySelector('[data-live="' + parts[j].getAttribute("data-live") + '"]');
      old.parentNode.replaceChild(parts[j].cloneNode(true), old);
    }
    return true;
  }

  function swapAll(fresh) {
    panel.innerHTML = "";
    while (fresh.firstChild) { panel.appendChild(fresh.firstChild); }
    enhance();
  }

  /* One fragment request at a time; a push that comes meanwhile is not dropped but
     queued, so two quick moves (close, then reveal) both reach a phone on slow Wi-Fi. */
  function refresh(partsOnly) {
    if (refreshing) {
      queued = (queued === "all" || !partsOnly) ? "all" : "parts";
      return;
    }
    refreshing = true;
    live.fetchFragment(panelUrl).then(function (fresh) {
      refreshing = false;
      var inner = fresh.querySelector("[data-view-key]");
      var sameView = inner !== null && inner.getAttribute("data-view-key") === currentKey();
      if (!partsOnly || !sameView || !swapParts(fresh)) { swapAll(fresh); }
      var next = queued;
      queued = null;
      if (next) { refresh(next === "parts"); }
    }, function () {
      refreshing = false;
      var next = queued;
      queued = null;
      if (next) { refresh(next === "parts"); }
    });
  }

  function onState(state) {
    if (!state) { return; }
    if (viewKey(state) !== currentKey()) { refresh(false); }
    else if (state.phase === "ideas") { refresh(true); }
  }

  function remainingOf(form) {
    var budget = parseInt(form.getAttribute("data-dots"), 10);
    var inputs = form.querySelectorAll('input[type="number"]');
    var used = 0;
    for (var i = 0; i < inputs.length; i++) { used += parseInt(inputs[i].value, 10) || 0; }
    return budget - used;
  }

  function updateRemaining(form) {
    var left = remainingOf(form);
    var box = form.querySelector("[data-remaining]");
    if (box) { box.textContent = String(left); }
    var options = form.querySelectorAll(".option");
    for (var i = 0; i < options.length; i++) {
      var input = options[i].querySelector("input");
      var value = parseInt(input.value, 10) || 0;
      options[i].className = value > 0 ? "option chosen" : "option";
    }
    return left;
  }

  function enhanceBallot(form) {
    var cap = parseInt(form.getAttribute("data-cap"), 10);
    var buttons = form.querySelectorAll("button.step");
    for (var i = 0; i < buttons.length; i++) {
      buttons[i].hidden = false;
      buttons[i].addEventListener("click", function (event) {
        var button = event.currentTarget;
        var input = button.parentNode.querySelector("input");
        var step = parseInt(button.getAttribute("data-step"), 10);
        var value = (parseInt(input.value, 10) || 0) + step;
        if (value < 0 || value > cap) { return; }
        if (step > 0 && remainingOf(form) <= 0) { return; }
        input.value = String(value);
        updateRemaining(form);
      });
    }
    form.addEventListener("input", function () { updateRemaining(form); });
    updateRemaining(form);
  }

  function enhanceForm(form) {
    var status = form.querySelector(".form-status");
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      if (form.id === "ballot-form" && updateRemaining(form) < 0) {
        status.textContent = form.getAttribute("data-over-text") || "−";
        return;
      }
      var button = form.querySelector('button[type="submit"]');
      button.disabled = true;
      status.textContent = "…";
      live.send(form).then(function (answer) {
        button.disabled = false;
        if (answer.ok) {
          form.querySelector('input[name="client_id"]').value = live.newId();
          if (form.id === "idea-form") {
            form.querySelector("textarea").value = "";
            status.textContent = form.getAttribute("data-sent-text") || "✓";
            refresh(true);
          } else {
            refresh(false);
          }
        } else {
          status.textContent = answer.message || String(answer.status);
          if (answer.error === "round_closed" || answer.error === "ideas_closed") { refresh(false); }
        }
      }, function () {
        button.disabled = false;
        status.textContent = panel.getAttribute("data-offline-text");
      });
    });
  }

  function enhance() {
    var ballot = document.getElementById("ballot-form");
    if (ballot) { enhanceBallot(ballot); }
    var forms = panel.querySelectorAll("form[data-live-form]");
    for (var i = 0; i < forms.length; i++) { enhanceForm(forms[i]); }
  }

  enhance();
  live.connect({ code: code, role: "phone", event: "workshop_changed", onState: onState,
    offlineText: panel.getAttribute("data-offline-text") });
})();
