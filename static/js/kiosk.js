/* The kiosk and the helper's entry screen: "+" and "-" buttons on a budget ballot (dots,
   points) and the count of what is left; Enter after a scanned number goes to the ballot. The forms are plain forms: posted as they are,
   answered with a page (the kiosk's thanks, or the helper's screen again). No socket:
   a shared tablet has nobody of its own to follow. */
(function () {
  "use strict";
  /* The waiting screen looks again every few seconds for the vote; the thanks screen goes
     on to the next person's ballot (the button does it at once). */
  var waiting = document.querySelector("[data-reload-after]");
  if (waiting) {
    setTimeout(function () { window.location.reload(); },
      1000 * parseInt(waiting.getAttribute("data-reload-after"), 10));
  }
  var thanks = document.querySelector("[data-next-after]");
  if (thanks) {
    setTimeout(function () { window.location.assign(thanks.getAttribute("data-next")); },
      1000 * parseInt(thanks.getAttribute("data-next-after"), 10));
  }
  var form = document.getElementById("ballot-form");
  if (!form) { return; }

  /* A scanner types the sheet's number and then Enter: go on to the ballot's first field
     instead of saving a sheet nobody has ticked yet. */
  var number = form.querySelector('input[name="number"]');
  if (number) {
    number.addEventListener("keydown", function (event) {
      if (event.key !== "Enter") { return; }
      event.preventDefault();
      var next = form.querySelector(".options input, .options select, .options button:not([hidden])");
      if (next) { next.focus(); }
    });
  }
  if (form.getAttribute("data-behaviour") !== "budget") { return; }
  var budget = parseInt(form.getAttribute("data-budget"), 10);
  var cap = parseInt(form.getAttribute("data-cap"), 10) || budget;
  var size = parseInt(form.getAttribute("data-step-size"), 10) || 1;

  function left() {
    var inputs = form.querySelectorAll('input[type="number"]');
    var used = 0;
    for (var i = 0; i < inputs.length; i++) { used += parseInt(inputs[i].value, 10) || 0; }
    return budget - used;
  }

  function update() {
    var box = form.querySelector("[data-remaining]");
    if (box) { box.textContent = String(left()); }
    var options = form.querySelectorAll(".option");
    for (var i = 0; i < options.length; i++) {
      var input = options[i].querySelector('input[type="number"]');
      options[i].classList.toggle("chosen", input && (parseInt(input.value, 10) || 0) > 0);
    }
  }

  var buttons = form.querySelectorAll("button.step");
  for (var i = 0; i < buttons.length; i++) {
    buttons[i].hidden = false;
    buttons[i].addEventListener("click", function (event) {
      var button = event.currentTarget;
      var input = button.parentNode.querySelector("input");
      var current = parseInt(input.value, 10) || 0;
      var step = parseInt(button.getAttribute("data-step"), 10) * size;
      var value = current + step;
      if (step > 0) { value = Math.min(value, current + Math.max(left(), 0), cap); }
      input.value = String(Math.max(0, value));
      update();
    });
  }
  form.addEventListener("input", update);
  update();
})();
