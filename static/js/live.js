/* live.js: what every page shares: joining the workshop's Socket.IO room on every
   (re)connect, showing the connection state, and sending forms as retried commands.
   Written in plain ES5 so that old phones run it; without it the pages still work. */
(function () {
  "use strict";

  function $(selector, root) { return (root || document).querySelector(selector); }

  function newId() {
    var bytes = new Uint8Array(16);
    if (window.crypto && window.crypto.getRandomValues) {
      window.crypto.getRandomValues(bytes);
    } else {
      for (var i = 0; i < bytes.length; i++) { bytes[i] = Math.floor(Math.random() * 256); }
    }
    var text = "";
    for (var j = 0; j < bytes.length; j++) { text += ("0" + bytes[j].toString(16)).slice(-2); }
    return text;
  }

  function csrf() {
    var meta = $('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }

  function showStatus(text) {
    var box = document.getElementById("connection");
    if (!box) { return; }
    if (text) { box.textContent = text; box.hidden = false; } else { box.hidden = true; }
  }

  /* Join the room as `role`; call onState with the whole state now and on every push. */
  function connect(options) {
    if (typeof window.io === "undefined") { return null; }
    var socket = window.io({ reconnectionDelayMax: 5000 });
    var offlineText = options.offlineText || document.body.getAttribute("data-offline-text");
    function join() {
      socket.emit("join", { code: options.code, role: options.role, secret: options.secret,
        lang: document.documentElement.getAttribute("lang") || "" },
        function (answer) {
          if (answer && answer.ok) {
            socket.joinedRoom = true;
            showStatus("");
            options.onState(answer.state);
            return;
          }
          showStatus(offlineText);
          /* A busy hall: the server said how long to wait before joining again. */
          if (answer && answer.retry_after && socket.connected) {
            setTimeout(join, 1000 * Math.min(60, answer.retry_after));
          }
        });
    }
    socket.on("connect", join);
    socket.on("disconnect", function () { socket.joinedRoom = false; showStatus(offlineText); });
    socket.on(options.event, function (state) { options.onState(state); });
    return socket;
  }

  /* POST a form as a command; retry network failures with the same client id so the
     server recognises a re-send and never counts it twice. Resolves with the JSON answer. */
  function send(form, attempt) {
    attempt = attempt || 0;
    var body = new FormData(form);
    return fetch(form.getAttribute("action"), {
      method: "POST", body: body, credentials: "same-origin",
      headers: { "Accept": "application/json", "X-CSRFToken": csrf() }
    }).then(function (response) {
      /* Busy (503): try again later with the same client id; it is never counted twice. */
      if (response.status === 503 && attempt < 6) { return later(form, attempt); }
      return response.json().then(function (data) { data.status = response.status; return data; },
        function () {
          return { ok: false, status: response.status,
            message: document.body.getAttribute("data-error-text") };
        });
    }, function (error) {
      if (attempt >= 6) { throw error; }
      return later(form, attempt);
    });
  }

  function later(form, attempt) {
    var wait = Math.min(8000, 500 * Math.pow(2, attempt));
    return new Promise(function (resolve) { setTimeout(resolve, wait); })
      .then(function () { return send(form, attempt + 1); });
  }

  /* Fetch a server-rendered fragment and return it as a parsed element. An answer that
     is not the fragment (a busy server's 503, a timeout's 408) is a failure, never
     swapped in: the page keeps what it shows and its caller tries again. */
  function fetchFragment(url) {
    return fetch(url, { credentials: "same-origin", headers: { "Accept": "text/html" } })
      .then(function (response) {
        if (!response.ok) { throw new Error("fragment: HTTP " + response.status); }
        return response.text();
      })
      .then(parseFragment);
  }

  /* Parse server-rendered HTML (a fetched fragment, or a panel a push carries). */
  function parseFragment(html) {
    var doc = new DOMParser().parseFromString("<div>" + html + "</div>", "text/html");
    return doc.body.firstElementChild;
  }

  /* A panel a push carries is the same for everyone: its forms' CSRF fields are empty,
     and are given this page's token (and new client ids, as a page load would). */
  function fillForms(fresh) {
    var token = csrf();
    var fields = fresh.querySelectorAll('input[name="csrf_token"]');
    for (var i = 0; i < fields.length; i++) { fields[i].value = token; }
    var ids = fresh.querySelectorAll('input[name="client_id"]');
    for (var j = 0; j < ids.length; j++) { ids[j].value = newId(); }
  }

  window.WorkshopLive = { $: $, newId: newId, connect: connect, send: send,
    fetchFragment: fetchFragment, parseFragment: parseFragment, fillForms: fillForms,
    showStatus: showStatus };
})();
