/* countdown.js: the running activity's countdown on the phone, the projector and the
   facilitator's page. Each push (and each join answer) carries the deadline (`timer`,
   milliseconds since the epoch, server time) and the server's time as it was sent
   (`now`); the page counts down by itself from them, corrected for its own clock being
   off (a phone minutes early or late counts the same as the room). No request is made.

   Every element marked data-countdown shows it (its data-countdown-time part the time
   left, hidden without a timer); a live region marked data-countdown-announce (the
   phone's) is told only a few times: when a timer starts, at one minute left, and at
   the end, never every second. Written in plain ES5 for old phones. */
(function () {
  "use strict";
  var deadline = null;   /* epoch ms, server time */
  var skew = 0;          /* server clock minus this page's clock, ms */
  var autoClose = false;
  var activity = null;
  var lastLeft = null;   /* seconds left at the previous tick, for the announcements */
  var ticker = null;

  function serverNow() { return Date.now() + skew; }

  function left() {
    if (deadline === null) { return null; }
    return Math.max(0, Math.ceil((deadline - serverNow()) / 1000));
  }

  /* 75 -> "1:15"; 3725 -> "1:02:05". */
  function format(seconds) {
    var h = Math.floor(seconds / 3600);
    var m = Math.floor((seconds % 3600) / 60);
    var s = seconds % 60;
    var two = function (n) { return (n < 10 ? "0" : "") + n; };
    return h ? h + ":" + two(m) + ":" + two(s) : m + ":" + two(s);
  }

  function text(box, key, n) {
    var value = box.getAttribute("data-t-" + key) || "";
    return n === undefined ? value : value.replace("{n}", String(n));
  }

  function announce(key, n) {
    var region = document.querySelector("[data-countdown-announce]");
    var box = document.querySelector("[data-countdown]");
    if (!region || !box) { return; }
    region.textContent = "";
    var said = text(box, key, n);
    setTimeout(function () { region.textContent = said; }, 100);
  }

  function draw() {
    var seconds = left();
    var boxes = document.querySelectorAll("[data-countdown]");
    for (var i = 0; i < boxes.length; i++) {
      var box = boxes[i];
      var time = box.querySelector("[data-countdown-time]") || box;
      box.hidden = seconds === null;
      if (seconds === null) { continue; }
      time.textContent = seconds > 0 ? format(seconds) : text(box, "ended");
      box.className = box.className.replace(/ ?countdown-(ending|ended)/g, "") +
        (seconds === 0 ? " countdown-ended" : seconds <= 60 ? " countdown-ending" : "");
      var auto = box.querySelector("[data-countdown-auto]");
      if (auto) { auto.hidden = !autoClose; }
    }
    if (seconds !== null && lastLeft !== null) {
      if (lastLeft > 60 && seconds <= 60 && seconds > 0) { announce("minute"); }
      if (lastLeft > 0 && seconds === 0) { announce("end"); }
    }
    lastLeft = seconds;
    if (seconds === null || seconds === 0) {
      if (ticker) { clearInterval(ticker); ticker = null; }
    } else if (!ticker) {
      ticker = setInterval(draw, 250);
    }
  }

  /* A push: `timer` ({activity, ends_at, auto_close} or null) and the server's `now`. */
  function set(timer, now) {
    if (typeof now === "number") { skew = now - Date.now(); }
    var fresh = timer && (timer.ends_at !== deadline || timer.activity !== activity);
    deadline = timer ? timer.ends_at : null;
    autoClose = !!(timer && timer.auto_close);
    if (fresh) {
      var seconds = left();
      activity = timer.activity;
      lastLeft = null;
      if (seconds > 60) { announce("started", Math.ceil(seconds / 60)); }
    }
    if (!timer) { activity = null; lastLeft = null; }
    draw();
  }

  /* A page drawn by the server starts from what it was drawn with. */
  function start() {
    var box = document.querySelector("[data-countdown][data-ends-at]");
    if (!box || !box.getAttribute("data-ends-at")) { return; }
    var now = parseInt(box.getAttribute("data-now"), 10);
    skew = isNaN(now) ? 0 : now - Date.now();
    deadline = parseInt(box.getAttribute("data-ends-at"), 10);
    activity = parseInt(box.getAttribute("data-activity"), 10) || null;
    autoClose = box.getAttribute("data-auto-close") === "true";
    draw();
  }

  window.WorkshopCountdown = { set: set, format: format, left: left };
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
