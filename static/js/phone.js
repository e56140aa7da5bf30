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
  var pushes = 0;  /* pushed panels shown: a fragment asked before one is older */
  var queued = null;
  var failures = 0;  /* fragment requests not answered in a row */
  var socket = null;
  var joining = null;  /* the join POST; commands wait for it, so one browser joins once */

  function viewKey(state) {
    var round = state.round;
    var activity = state.activity;
    return [state.phase, round ? round.id : "", round ? round.status : "",
      round ? (round.revealed ? "True" : "False") : "", activity ? activity.id : "",
      state.profiles_open ? "True" : "False"].join(":") +
      /* a question: closed, results revealed (its live results are a part, see onState) */
      (state.poll ? ":" + state.poll.status + ":" + (state.poll.revealed ? "True" : "False") : "");
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
    var hadFocus = panel.contains(document.activeElement);
    panel.innerHTML = "";
    while (fresh.firstChild) { panel.appendChild(fresh.firstChild); }
    enhance();
    if (hadFocus || refocus) { focusHeading(); }
    refocus = false;
  }

  /* Keyboard and screen-reader users: focus that went with the old panel goes to the new
     panel's heading (not back to the top of the page), and a ballot recorded is said by a
     live region that was there before (#announce, outside the panel). */
  var refocus = false;  /* a ballot was sent from this panel (its button, disabled, lost focus) */

  function focusHeading() {
    var heading = panel.querySelector("h1, h2");
    if (!heading) { return; }
    heading.setAttribute("tabindex", "-1");
    heading.focus();
  }

  function announce(text) {
    var region = document.getElementById("announce");
    if (!region || !text) { return; }
    region.textContent = "";
    setTimeout(function () { region.textContent = text; }, 100);
  }

  /* One fragment request at a time; a push that comes meanwhile is not dropped but
     queued, so two quick moves (close, then reveal) both reach a phone on slow Wi-Fi. */
  function refresh(partsOnly) {
    if (refreshing) {
      queued = (queued === "all" || !partsOnly) ? "all" : "parts";
      return;
    }
    refreshing = true;
    var asked = pushes;
    live.fetchFragment(panelUrl).then(function (fresh) {
      refreshing = false;
      failures = 0;
      /* A push shown meanwhile is newer than this answer (asked before it), except for
         this phone's own ideas, which no push carries: the answer's list is the newest
         (an idea approved at once makes a push that races with this answer). */
      if (asked !== pushes) {
        keepOwnList(fresh);
        fresh = null;
      }
      if (!fresh) {
        var then = queued;
        queued = null;
        if (then) { refresh(then === "parts"); }
        return;
      }
      var inner = fresh.querySelector("[data-view-key]");
      var sameView = inner !== null && inner.getAttribute("data-view-key") === currentKey();
      if (!partsOnly || !sameView || !swapParts(fresh)) { swapAll(fresh); }
      var next = queued;
      queued = null;
      if (next) { refresh(next === "parts"); }
    }, function () {
      /* Not answered (a busy server): try again after a random second or three, so a
         hall's phones do not all come back at once; what is shown stays meanwhile. */
      refreshing = false;
      var next = queued || (partsOnly ? "parts" : "all");
      queued = null;
      failures += 1;
      if (failures > 10) { failures = 0; return; }  /* the next push tries again */
      setTimeout(function () { refresh(next === "parts"); }, 1000 + Math.random() * 2000);
    });
  }

  /* What the page keeps of its person: a pushed panel is the same for every phone (no
     own ideas, no ballot, no ticket, no pair; docs/protocol.md, "Pushes"). */
  var keptMine = null;  /* this phone's own ideas, across views that do not show them */

  function keepOwnList(fresh) {
    var own = fresh ? fresh.querySelector('[data-live="mine"]') : null;
    var shown = panel.querySelector('[data-live="mine"]');
    if (!own || !shown) { return; }
    shown.parentNode.replaceChild(own, shown);
    keptMine = own.cloneNode(true);
  }

  /* This phone's +1s (docs/protocol.md, "+1"): the pushed wall has every button
     unpressed; the page keeps the ideas it gave a +1 in #panel's data-supported. */
  function supported() {
    var list = (panel.getAttribute("data-supported") || "").split(" ");
    var set = {};
    for (var i = 0; i < list.length; i++) { if (list[i]) { set[list[i]] = true; } }
    return set;
  }

  function markSupports(root) {
    var mine = supported();
    var forms = root.querySelectorAll("[data-support-form]");
    for (var i = 0; i < forms.length; i++) {
      var idea = forms[i].querySelector('input[name="idea"]').value;
      var pressed = !!mine[idea];
      forms[i].querySelector('input[name="on"]').value = pressed ? "false" : "true";
      forms[i].querySelector("button").setAttribute("aria-pressed", pressed ? "true" : "false");
    }
  }

  /* A +1 is sent with fetch and a fresh client id; the button shows the answer's state. */
  panel.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form || !form.hasAttribute || !form.hasAttribute("data-support-form")) { return; }
    event.preventDefault();
    var button = form.querySelector("button");
    form.querySelector('input[name="client_id"]').value = live.newId();
    button.disabled = true;
    (joining || Promise.resolve()).then(function () { return live.send(form); })
      .then(function (answer) {
        button.disabled = false;
        if (!answer || !answer.ok) { announce(answer && answer.message); return; }
        var mine = supported();
        if (answer.supported) { mine[String(answer.idea)] = true; } else { delete mine[String(answer.idea)]; }
        panel.setAttribute("data-supported", Object.keys(mine).join(" "));
        becameParticipant();
        markSupports(panel);
      }, function () { button.disabled = false; });
  });

  function personalise(fresh) {
    live.fillForms(fresh);
    markSupports(fresh);
    var voted = fresh.querySelectorAll("[data-if-voted]");
    for (var i = 0; i < voted.length; i++) {
      voted[i].hidden = voted[i].getAttribute("data-if-voted") !==
        panel.getAttribute("data-voted-round");
    }
    if (panel.getAttribute("data-answered-profile") === "true") {
      var asks = fresh.querySelectorAll("[data-ask-profile]");
      for (var j = 0; j < asks.length; j++) { asks[j].parentNode.removeChild(asks[j]); }
    }
    var own = panel.querySelector('[data-live="mine"]');
    if (own) { keptMine = own.cloneNode(true); }
    var mine = fresh.querySelector('[data-live="mine"]');
    if (mine && keptMine) { mine.parentNode.replaceChild(keptMine.cloneNode(true), mine); }
    /* The ballot being filled in stays as it is while the round is the same. */
    var card = fresh.querySelector("[data-own-ballot]");
    var current = card ? panel.querySelector('[data-own-ballot="' +
      card.getAttribute("data-own-ballot") + '"]') : null;
    if (current) { card.parentNode.replaceChild(current, card); }
  }

  /* This phone's own ideas the push's wall shows are approved: say so in its list (a
     push carries nobody's own ideas). */
  function markApproved(wall) {
    var statuses = {};
    for (var i = 0; i < wall.length; i++) { statuses[String(wall[i].id)] = "approved"; }
    markOwn(statuses, false);
  }

  /* Statuses of this phone's own ideas, as the server tells this participant alone (the
     event own_ideas after a moderation, and own_ideas in each join's answer): approved,
     hidden, merged or pending again. `fromServer`: that word replaces any badge; the
     wall's (not fromServer) only turns a waiting one to approved. */
  var STATUSES = { pending: "data-pending-text", approved: "data-approved-text",
    hidden: "data-hidden-text", merged: "data-merged-text" };

  function markOwn(statuses, fromServer) {
    var lists = [panel.querySelector('[data-live="mine"]'), keptMine];
    for (var l = 0; l < lists.length; l++) {
      var own = lists[l];
      if (!own) { continue; }
      var items = own.querySelectorAll("li[data-idea]");
      for (var j = 0; j < items.length; j++) {
        var status = statuses[items[j].getAttribute("data-idea")];
        var badge = items[j].querySelector(".badge");
        /* The wall's newest ideas say "approved"; only the server says it is no more. */
        if (!badge || !STATUSES[status] || (!fromServer && badge.className !==
            "badge badge-pending")) { continue; }
        badge.className = "badge badge-" + status;
        badge.textContent = own.getAttribute(STATUSES[status]);
      }
    }
  }

  function onOwnIdeas(message) {
    if (!message || !message.ideas) { return; }
    var statuses = {};
    for (var i = 0; i < message.ideas.length; i++) {
      statuses[String(message.ideas[i].id)] = message.ideas[i].status;
    }
    markOwn(statuses, true);
  }

  /* A pairwise round serves each phone its own pairs: the pushed panel has the form with
     no pair, and the page asks its socket for this phone's (event "step"). */
  function askStep() {
    var box = panel.querySelector("[data-step]");
    if (box && box.hidden) { askStepNow(); }
  }

  function askStepNow(then) {
    then = then || function () {};
    if (!socket || !socket.connected || !socket.joinedRoom || !socket.timeout) {
      then();
      refresh(false);
      return;
    }
    socket.timeout(8000).emit("step", {}, function (error, answer) {
      then();
      if (error || !answer || !answer.ok) { refresh(false); } else { showStep(answer); }
    });
  }

  function showStep(answer) {
    var box = panel.querySelector("[data-step]");
    if (!box) { return; }
    var form = box.querySelector("form");
    var round = form.querySelector('input[name="round"]');
    if (!round || round.value !== String(answer.round)) { return; }
    var done = panel.querySelector("[data-step-done]");
    if (!answer.pair) {
      box.hidden = true;
      if (done) { done.hidden = false; }
      return;
    }
    var sides = ["left", "right"];
    for (var i = 0; i < 2; i++) {
      form.querySelector('input[name="' + sides[i] + '"]').value = String(answer.pair[i]);
      var card = form.querySelector('[data-side="' + sides[i] + '"]');
      card.value = String(answer.pair[i]);
      card.textContent = answer.texts[i];
    }
    var count = box.querySelector("[data-step-count]");
    if (count) {
      count.textContent = count.getAttribute("data-step-count").replace("{n}",
        String(answer.judged + 1));
    }
    var status = form.querySelector(".form-status");
    if (status) { status.textContent = ""; }
    box.hidden = false;
    if (done) { done.hidden = true; }
  }

  /* A push carries the panel (see personalise): no request to the server. A push without
     one (an older server) makes the page fetch its panel as before. */
  function onState(state) {
    if (!state) { return; }
    /* The countdown (outside the panel) follows every push, whatever else changed. */
    if (window.WorkshopCountdown) { window.WorkshopCountdown.set(state.timer || null, state.now); }
    var changed = viewKey(state) !== currentKey();
    var html = panel.getAttribute("data-has-ticket") === "true" && state.panel_ticket ?
      state.panel_ticket : state.panel;
    if (typeof html !== "string") {
      if (changed) { refresh(false); } else if (state.phase === "ideas") { refresh(true); }
      return;
    }
    if (state.own_ideas) { onOwnIdeas({ ideas: state.own_ideas }); }  /* a join's answer */
    if (!changed && state.phase === "poll") {
      /* a question's results, revealed, move with each answer: only that part is swapped
         (the form, perhaps being filled in, stays as it is) */
      swapParts(live.parseFragment(html));
      return;
    }
    if (!changed && state.phase !== "ideas") { return; }
    markApproved(state.ideas || []);
    var fresh = live.parseFragment(html);
    personalise(fresh);
    pushes += 1;
    if (changed || !swapParts(fresh)) {
      swapAll(fresh);
      askStep();
    }
  }

  /* Budget ballots (dots, points): steppers and a live count of what is left. */
  function remainingOf(form) {
    var budget = parseInt(form.getAttribute("data-budget"), 10);
    var inputs = form.querySelectorAll('input[type="number"]');
    var used = 0;
    for (var i = 0; i < inputs.length; i++) { used += parseInt(inputs[i].value, 10) || 0; }
    return budget - used;
  }

  function markChosen(form) {
    var options = form.querySelectorAll(".option");
    for (var i = 0; i < options.length; i++) {
      var input = options[i].querySelector("input, select");
      var value = input.type === "checkbox" ? (input.checked ? 1 : 0) : (parseInt(input.value, 10) || 0);
      if (value > 0) { options[i].classList.add("chosen"); } else { options[i].classList.remove("chosen"); }
    }
  }

  function updateRemaining(form) {
    var left = remainingOf(form);
    var box = form.querySelector("[data-remaining]");
    if (box) { box.textContent = String(left); }
    markChosen(form);
    return left;
  }

  function enhanceBudget(form) {
    var cap = parseInt(form.getAttribute("data-cap"), 10);
    var size = parseInt(form.getAttribute("data-step-size"), 10) || 1;
    var buttons = form.querySelectorAll("button.step");
    for (var i = 0; i < buttons.length; i++) {
      buttons[i].hidden = false;
      buttons[i].addEventListener("click", function (event) {
        var button = event.currentTarget;
        var input = button.parentNode.querySelector("input");
        var current = parseInt(input.value, 10) || 0;
        var step = parseInt(button.getAttribute("data-step"), 10) * size;
        var left = remainingOf(form);
        var value = current + step;
        if (step > 0) { value = Math.min(value, current + left, cap); }
        value = Math.max(0, value);
        if (value === current) { return; }
        input.value = String(value);
        updateRemaining(form);
      });
    }
    form.addEventListener("input", function () { updateRemaining(form); });
    updateRemaining(form);
  }

  /* Approval: tick boxes, never more than the round allows. */
  function enhanceApproval(form) {
    var limit = parseInt(form.getAttribute("data-limit"), 10) || 0;
    function update() {
      var boxes = form.querySelectorAll('input[type="checkbox"]');
      var ticked = 0;
      for (var i = 0; i < boxes.length; i++) { if (boxes[i].checked) { ticked++; } }
      for (var j = 0; j < boxes.length; j++) {
        boxes[j].disabled = limit > 0 && ticked >= limit && !boxes[j].checked;
      }
      var count = form.querySelector("[data-ticked]");
      if (count) { count.textContent = String(ticked); }
      markChosen(form);
    }
    form.addEventListener("change", update);
    update();
  }

  /* Ranking: tap priorities in order; tap a ranked one again to take it out. The hidden
     menus stay the form's real fields, so the same request is sent as without script. */
  function enhanceRanking(form) {
    var top = parseInt(form.getAttribute("data-top"), 10);
    var rows = form.querySelectorAll(".option-rank");
    var help = panel.querySelector("[data-tap-help]");
    if (help) { help.hidden = false; }
    function order() {
      var ranked = [];
      for (var i = 0; i < rows.length; i++) {
        var place = parseInt(rows[i].querySelector("select").value, 10);
        if (place) { ranked.push({ row: rows[i], place: place }); }
      }
      ranked.sort(function (a, b) { return a.place - b.place; });
      return ranked;
    }
    function renumber(ranked) {
      for (var i = 0; i < rows.length; i++) {
        rows[i].querySelector("select").value = "";
        rows[i].querySelector("[data-place]").textContent = "";
        rows[i].classList.remove("chosen");
      }
      for (var j = 0; j < ranked.length; j++) {
        ranked[j].row.querySelector("select").value = String(j + 1);
        ranked[j].row.querySelector("[data-place]").textContent = String(j + 1);
        ranked[j].row.classList.add("chosen");
      }
    }
    for (var i = 0; i < rows.length; i++) {
      var tap = rows[i].querySelector(".rank-tap");
      tap.hidden = false;
      rows[i].querySelector(".rank-select").hidden = true;
      rows[i].addEventListener("click", function (event) {
        var row = event.currentTarget;
        var ranked = order();
        var position = -1;
        for (var j = 0; j < ranked.length; j++) { if (ranked[j].row === row) { position = j; } }
        if (position >= 0) { ranked.splice(position, 1); }
        else if (ranked.length < top) { ranked.push({ row: row, place: ranked.length + 1 }); }
        renumber(ranked);
      });
    }
    renumber(order());
  }

  /* Pairwise: the card tapped is the choice; sent as a hidden field so fetch carries it. */
  function enhancePairwise(form) {
    var choice = document.createElement("input");
    choice.type = "hidden";
    choice.name = "choice";
    form.appendChild(choice);
    var buttons = form.querySelectorAll('button[type="submit"]');
    for (var i = 0; i < buttons.length; i++) {
      buttons[i].removeAttribute("name");
      buttons[i].addEventListener("click", function (event) {
        choice.value = event.currentTarget.value;
      });
    }
  }

  function checkBeforeSending(form) {
    if (form.getAttribute("data-behaviour") === "budget") { return updateRemaining(form) >= 0; }
    return true;
  }

  /* A ballot goes over the page's socket when it is up (no HTTP request to make: see
     docs/protocol.md); without an answer in time it goes again by POST with the same
     client id, which the server recognises, so it never counts twice. */
  function sendBallot(form) {
    if (!socket || !socket.connected || !socket.joinedRoom || !socket.timeout) {
      return live.send(form);
    }
    var fields = {};
    new FormData(form).forEach(function (value, name) {
      if (name !== "csrf_token") { fields[name] = String(value); }
    });
    return new Promise(function (resolve) {
      socket.timeout(8000).emit("ballot", { client_id: fields.client_id, fields: fields },
        function (error, answer) {
          if (error || !answer || answer.error === "not_joined") { resolve(live.send(form)); }
          else { resolve(answer); }
        });
    });
  }

  function enhanceForm(form) {
    var status = form.querySelector(".form-status");
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      if (form.id === "ballot-form" && !checkBeforeSending(form)) {
        status.textContent = form.getAttribute("data-over-text") || "−";
        return;
      }
      var buttons = form.querySelectorAll('button[type="submit"]');
      for (var b = 0; b < buttons.length; b++) { buttons[b].disabled = true; }
      status.textContent = "…";
      var enable = function () {
        for (var c = 0; c < buttons.length; c++) { buttons[c].disabled = false; }
      };
      joining.then(function () {
        return form.id === "ballot-form" ? sendBallot(form) : live.send(form);
      }).then(function (answer) {
        /* A judgement's buttons stay off until the next pair is shown (a second tap
           would judge the pair just judged again). */
        var stepping = answer.ok && answer.judged !== undefined && socket && socket.joinedRoom;
        if (!stepping) { enable(); }
        if (answer.ok) {
          becameParticipant();
          form.querySelector('input[name="client_id"]').value = live.newId();
          if (form.id === "ballot-form" && answer.round) {
            panel.setAttribute("data-voted-round", String(answer.round));
          }
          if (form.id === "ticket-form") { panel.setAttribute("data-has-ticket", "true"); }
          if (form.id === "idea-form") {
            form.querySelector("textarea").value = "";
            status.textContent = form.getAttribute("data-sent-text") || "✓";
            refresh(true);
          } else if (stepping) {
            askStepNow(enable);  /* the next pair, over the socket */
          } else {
            if (form.id === "ballot-form") {
              refocus = true;
              announce(panel.getAttribute(form.getAttribute("data-behaviour") === "pairwise"
                ? "data-step-text" : "data-voted-text"));
            }
            refresh(false);
          }
        } else {
          status.textContent = answer.message || String(answer.status);
          if (answer.error === "round_closed" || answer.error === "ideas_closed" ||
              answer.error === "pair_changed") { refresh(false); }
        }
      }, function () {
        enable();
        status.textContent = panel.getAttribute("data-offline-text");
      });
    });
  }

  /* A command carried out means this browser is a participant now. If the join POST had
     failed, its first command joined it over HTTP, but the socket connected before, with
     no participant cookie, and counts for nobody on the projector (only participants
     count): connect it again, so that its handshake carries the cookie. */
  function becameParticipant() {
    if (panel.getAttribute("data-joined") === "true") { return; }
    panel.setAttribute("data-joined", "true");
    if (socket && socket.connected) {
      socket.disconnect();
      socket.connect();
    }
  }

  /* By the behaviour a voting method declares (PHONE in workshop/core/voting/<method>.py):
     a new method that behaves like an existing one needs nothing here. */
  var ENHANCERS = { budget: enhanceBudget, approval: enhanceApproval, ranking: enhanceRanking,
    pairwise: enhancePairwise };

  /* Each form once: a ballot kept across a push (personalise) is enhanced already. */
  function enhance() {
    var ballot = document.getElementById("ballot-form");
    var enhancer = ballot && !ballot.enhanced ? ENHANCERS[ballot.getAttribute("data-behaviour")] : null;
    if (enhancer) { enhancer(ballot); }
    var forms = panel.querySelectorAll("form[data-live-form]");
    for (var i = 0; i < forms.length; i++) {
      if (!forms[i].enhanced) { enhanceForm(forms[i]); }
      forms[i].enhanced = true;
    }
  }

  /* A ticket's own QR code opens this page with #ticket=CODE: the code never reaches the
     server in an address (nor its logs); take it out of the address bar and spend it. */
  function ticketFromAddress() {
    var found = /(?:^#|&)ticket=([A-Za-z0-9-]{10,16})(?:&|$)/.exec(window.location.hash || "");
    if (!found) { return; }
    if (window.history && window.history.replaceState) {
      window.history.replaceState(null, "", window.location.pathname + window.location.search);
    }
    var form = document.getElementById("ticket-form");
    if (!form) { return; }
    form.querySelector('input[name="ticket"]').value = found[1];
    var submit = document.createEvent("Event");
    submit.initEvent("submit", true, true);
    form.dispatchEvent(submit);
  }

  /* Opening the page made nobody a participant (a GET changes nothing): join once by POST
     before the socket connects, so that its handshake carries this participant's cookie
     (a socket cannot set one). If the join fails the socket still shows the room, and a
     first command (idea, ballot, ticket) joins over HTTP. */
  function join() {
    if (panel.getAttribute("data-joined") === "true") { return Promise.resolve(); }
    var meta = live.$('meta[name="csrf-token"]');
    return fetch(panel.getAttribute("data-join-url"), {
      method: "POST", credentials: "same-origin",
      headers: { "Accept": "application/json",
        "X-CSRFToken": meta ? meta.getAttribute("content") : "" }
    }).then(function (response) {
      if (!response.ok) { return; }
      panel.setAttribute("data-joined", "true");
      /* A page drawn before this browser joined shows no pair (each phone is served its
         own): fetch the panel again, now with this participant's pair. */
      if (panel.querySelector("[data-join-first]")) { refresh(false); }
    }, function () {});
  }

  enhance();
  joining = join();
  joining.then(function () {
    ticketFromAddress();
    socket = live.connect({ code: code, role: "phone", event: "workshop_changed",
      onState: onState, offlineText: panel.getAttribute("data-offline-text") });
    if (socket) { socket.on("own_ideas", onOwnIdeas); }
  });
})();
