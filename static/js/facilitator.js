/* facilitator.js: keeps the control page live: shows the panel each push carries (but
   not while the facilitator is typing in it or has a section open) and sends commands
   without a page reload. */
(function () {
  "use strict";
  var live = window.WorkshopLive;
  var panel = document.getElementById("panel");
  if (!live || !panel || !window.fetch) { return; }
  var secret = panel.getAttribute("data-secret");
  /* A push carries the first page of each idea list: a page showing another page of one
     (an address with ?pending=2 ...) asks the server for its own panel instead. */
  var paged = (panel.getAttribute("data-panel-url") || "").indexOf("?") >= 0;
  var socket = null;
  var pushed = null;     /* the newest pushed panel not shown yet */
  var pending = false;
  var inFlight = false;  /* one panel fetch at a time ... */
  var again = false;     /* ... and one more after it if pushes came meanwhile */
  var failures = 0;      /* fragment requests not answered in a row */

  function busy() {
    var active = document.activeElement;
    if (active && panel.contains(active) && /^(INPUT|TEXTAREA|SELECT)$/.test(active.tagName)) {
      return true;
    }
    return panel.querySelector("details[open]") !== null;
  }

  /* Put a fresh panel in place of the shown one, keeping what the forms hold and where
     the keyboard was. */
  function swapIn(fresh) {
    var kept = roundFormValues();
    var focused = focusedControl();
    panel.innerHTML = "";
    while (fresh.firstChild) { panel.appendChild(fresh.firstChild); }
    restoreRoundForm(kept);
    enhanceRoundForm();
    fillThemeChoices();
    refocus(focused);
  }

  /* Keyboard use: the control that had the focus (or the command just sent) has it again
     in the fresh panel; if it is gone (the room moved on), the panel's first heading
     has it, so that Tab goes on from there rather than from the top of the page. */
  var sent = null;

  function focusedControl() {
    var active = document.activeElement;
    if (!active || active === document.body || !panel.contains(active)) { return sent; }
    var form = active.form || null;
    if (form && /^(INPUT|TEXTAREA|SELECT)$/.test(active.tagName)) {
      /* Not back into a field: the panel stays live only while no field has the focus. */
      var submit = form.querySelector('button[type="submit"], button:not([type])');
      if (submit) { active = submit; }
    }
    return { id: active.id, tag: active.tagName, name: active.name || "",
      action: form ? form.getAttribute("action") : null };
  }

  function refocus(control) {
    sent = null;
    if (!control) { return; }
    var found = control.id ? document.getElementById(control.id) : null;
    var forms = panel.querySelectorAll("form");
    for (var i = 0; !found && control.action && i < forms.length; i++) {
      if (forms[i].getAttribute("action") !== control.action) { continue; }
      var candidates = forms[i].querySelectorAll(control.tag);
      for (var j = 0; !found && j < candidates.length; j++) {
        if ((candidates[j].name || "") === control.name) { found = candidates[j]; }
      }
    }
    if (!found) {
      found = panel.querySelector("h2, h3");
      if (found) { found.setAttribute("tabindex", "-1"); }
    }
    if (found && panel.contains(found)) { found.focus(); }
  }


  /* The panel a push carries: its addresses name a placeholder where this page's secret
     goes (the server keeps only the secret's digest), its forms an empty CSRF field. */
  function showPushed() {
    if (!pushed) { return; }
    /* Held while the facilitator types or has a section open (data-held says so). */
    if (busy()) { pending = true; panel.setAttribute("data-held", "true"); return; }
    var state = pushed;
    pushed = null;
    pending = false;
    panel.removeAttribute("data-held");
    var html = state.panel.split("/f/" + state.secret_placeholder).join("/f/" + secret);
    var fresh = live.parseFragment(html);
    live.fillForms(fresh);
    swapIn(fresh);
  }

  function update() {
    if (pushed) { showPushed(); } else if (pending) { refresh(); }
  }

  /* Without a pushed panel (a paged list, a socket down): one fetch at a time, and the
     pushes that came while it was on its way make one more afterwards. */
  function refresh() {
    if (busy()) { pending = true; return; }
    if (inFlight) { again = true; return; }
    pending = false;
    again = false;
    inFlight = true;
    function next() {
      inFlight = false;
      if (again) { refresh(); }
    }
    live.fetchFragment(panel.getAttribute("data-panel-url")).then(function (fresh) {
      /* The facilitator may have started typing while the fragment was on its way. */
      if (busy()) { pending = true; next(); return; }
      swapIn(fresh);
      failures = 0;
      next();
    }, function () {  /* not answered: try again in a moment, keeping the panel shown */
      inFlight = false;
      again = false;
      failures += 1;
      if (failures <= 10) { setTimeout(refresh, 1000); } else { failures = 0; }
    });
  }

  /* The countdown is counted here from the push (countdown.js), not redrawn by it. */
  function countdown(state) {
    if (state && window.WorkshopCountdown) { window.WorkshopCountdown.set(state.timer || null, state.now); }
  }

  function onState(state) {
    countdown(state);
    if (state && typeof state.panel === "string" && state.secret_placeholder && !paged) {
      pushed = state;
      showPushed();
    } else {
      refresh();
    }
  }

  /* The vote and planning forms survive live refreshes: what was chosen is put back. */
  function roundFormValues() {
    var forms = panel.querySelectorAll("[data-round-form], [data-plan-form]");
    var kept = [];
    for (var f = 0; f < forms.length; f++) {
      var values = {};
      var fields = forms[f].querySelectorAll("input, select");
      for (var i = 0; i < fields.length; i++) {
        var field = fields[i];
        if (field.type === "hidden") { continue; }
        values[field.name] = field.type === "checkbox" ? field.checked : field.value;
      }
      kept.push(values);
    }
    return kept;
  }

  function restoreRoundForm(kept) {
    var forms = panel.querySelectorAll("[data-round-form], [data-plan-form]");
    for (var f = 0; f < forms.length && f < kept.length; f++) {
      var values = kept[f];
      var fields = forms[f].querySelectorAll("input, select");
      for (var i = 0; i < fields.length; i++) {
        var field = fields[i];
        if (!(field.name in values)) { continue; }
        if (field.type === "checkbox") { field.checked = values[field.name]; }
        else if (field.type !== "hidden") { field.value = values[field.name]; }
      }
    }
  }

  /* Show only the fields of the chosen method and option source (all show without script). */
  function showChosen(form, selector, attribute) {
    var select = form.querySelector(selector);
    if (!select) { return; }
    function sync() {
      var groups = form.querySelectorAll("[" + attribute + "]");
      for (var i = 0; i < groups.length; i++) {
        groups[i].hidden = groups[i].getAttribute(attribute) !== select.value;
      }
    }
    select.addEventListener("change", sync);
    sync();
  }

  function enhanceRoundForm() {
    var forms = panel.querySelectorAll("[data-round-form], [data-plan-form]");
    for (var i = 0; i < forms.length; i++) {
      showChosen(forms[i], "[data-method-select]", "data-for-method");
      showChosen(forms[i], "[data-source-select]", "data-for-source");
    }
  }

  /* An idea's theme, chosen beside it: the page carries one list of themes (the #set-theme
     form's), copied into each idea's choice here, and a pick is sent through that form
     at once. Without script the choices stay hidden (CSS: only under "scripted") and the
     form takes an idea's number. */
  panel.classList.add("scripted");

  function fillThemeChoices() {
    var source = panel.querySelector("#set-theme select[name='theme']");
    var choices = panel.querySelectorAll("select[data-theme-idea]");
    for (var i = 0; source && i < choices.length; i++) {
      var choice = choices[i];
      if (choice.options.length) { continue; }
      for (var k = 0; k < source.options.length; k++) {
        choice.appendChild(source.options[k].cloneNode(true));
      }
      choice.value = choice.getAttribute("data-theme") || "";
      if (choice.selectedIndex < 0) { choice.value = ""; }
    }
  }

  panel.addEventListener("change", function (event) {
    var choice = event.target;
    if (!choice.hasAttribute || !choice.hasAttribute("data-theme-idea")) { return; }
    var form = panel.querySelector("#set-theme");
    if (!form) { return; }
    form.elements.idea.value = choice.getAttribute("data-theme-idea");
    form.elements.theme.value = choice.value;
    if (form.requestSubmit) { form.requestSubmit(); }
    else { form.dispatchEvent(new Event("submit", { cancelable: true, bubbles: true })); }
  });
  fillThemeChoices();

  panel.addEventListener("focusout", function () { setTimeout(update, 300); });
  panel.addEventListener("toggle", function () { setTimeout(update, 300); }, true);

  panel.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.hasAttribute("data-command")) { return; }
    event.preventDefault();
    var question = form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) { return; }
    var details = form.closest ? form.closest("details") : null;
    if (details) { details.open = false; }
    sent = focusedControl();
    if (document.activeElement && document.activeElement.blur) { document.activeElement.blur(); }
    live.send(form).then(function (answer) {
      if (answer.ok) { live.showStatus(""); } else { live.showStatus(answer.message || answer.error); }
      /* What the command changed comes with the next push; with no socket, ask. */
      if (socket && socket.connected && socket.joinedRoom && !paged) { showPushed(); }
      else { pending = false; refresh(); }
    });
  });

  /* Keyboard shortcuts on the console: one key, no modifier, never while a field has the
     keyboard (typing an idea's wording must not start the vote). Each key presses the
     button of the panel that declares it (data-shortcut, aria-keyshortcuts on the
     button): a key does what its button does, confirmation included, and nothing when
     its button is not offered at this step (T: the running countdown's "+1 min"). */
  var SHORTCUTS = ["n", "r", "t"];  /* next activity, reveal or hide, a minute more */
  var help = document.querySelector("[data-shortcuts]");
  var overlay = document.querySelector("[data-shortcuts-overlay]");
  var before = null;  /* what had the focus when the list opened */

  function typing(target) {
    return target && (/^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName) || target.isContentEditable);
  }

  function toggleOverlay(show) {
    if (!overlay) { return; }
    if (show === !overlay.hidden) { return; }
    overlay.hidden = !show;
    if (show) {
      before = document.activeElement;
      overlay.querySelector("[role=dialog]").focus();
    } else if (before && before.focus) {
      before.focus();
      before = null;
    }
  }

  function onKey(event) {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey ||
        typing(event.target)) { return; }
    if (event.key === "Escape" && overlay && !overlay.hidden) { toggleOverlay(false); return; }
    if (event.key === "?") { event.preventDefault(); toggleOverlay(overlay && overlay.hidden); return; }
    if (event.repeat || !event.key || event.key.length !== 1) { return; }
    var key = event.key.toLowerCase();
    if (SHORTCUTS.indexOf(key) < 0) { return; }
    var button = panel.querySelector('button[data-shortcut="' + key + '"]');
    event.preventDefault();
    var status = help ? help.querySelector(".shortcut-status") : null;
    if (!button) {
      if (status) { status.textContent = help.getAttribute("data-none-text"); }
      return;
    }
    if (status) { status.textContent = ""; }
    toggleOverlay(false);
    button.click();
  }

  if (help) {
    help.hidden = false;
    document.addEventListener("keydown", onKey);
    var close = overlay ? overlay.querySelector("[data-shortcuts-close]") : null;
    if (close) { close.addEventListener("click", function () { toggleOverlay(false); }); }
    if (overlay) {
      overlay.addEventListener("click", function (event) {
        if (event.target === overlay) { toggleOverlay(false); }
      });
    }
  }

  /* A form outside the panel that asks first (replacing the facilitator link). */
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (panel.contains(form) || !form.hasAttribute("data-confirm")) { return; }
    if (!window.confirm(form.getAttribute("data-confirm"))) { event.preventDefault(); }
  });

  enhanceRoundForm();
  /* A moderator's page (data-role="moderator") is kept live the same way, with the
     moderators' pushes: the queue alone. */
  var role = panel.getAttribute("data-role") === "moderator" ? "moderator" : "facilitator";
  socket = live.connect({ code: panel.getAttribute("data-code"), role: role,
    secret: secret, event: role + "_changed", onState: onState });
})();
