/* screen.js: draws the projector's stage from `screen_changed` snapshots: the idea wall,
   the vote count, and the results as bars. Text is always set as text, never as markup. */
(function () {
  "use strict";
  var live = window.WorkshopLive;
  var stage = document.getElementById("stage");
  if (!live || !stage) { return; }

  function t(key) { return stage.getAttribute("data-t-" + key) || ""; }

  /* French puts 0 and 1 in the singular, English only 1. */
  function counted(n, key) {
    var lang = document.documentElement.getAttribute("lang") || "fr";
    var singular = lang === "fr" ? n <= 1 : n === 1;
    return n + " " + t(key + (singular ? "-one" : "-other"));
  }

  function number(value) {
    return Math.round(value) === value ? String(value) : value.toFixed(1);
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    return node;
  }

  function wall(ideas) {
    if (!ideas.length) { return el("p", "stage-message", t("no-ideas")); }
    var list = el("ul", "wall");
    if (ideas.length > 12) { list.className = "wall dense"; }
    for (var i = 0; i < ideas.length; i++) {
      var card = el("li", "wall-card");
      card.appendChild(el("span", "wall-text", ideas[i].text));
      list.appendChild(card);
    }
    return list;
  }

  function bars(results) {
    var box = el("div", "bars");
    var ranking = results.ranking.slice(0, 10);
    var top = 0;
    for (var i = 0; i < ranking.length; i++) { top = Math.max(top, ranking[i].score); }
    for (var j = 0; j < ranking.length; j++) {
      var row = ranking[j];
      var item = el("div", "bar-row");
      item.appendChild(el("span", "bar-rank", row.rank));
      var body = el("div", "bar-body");
      body.appendChild(el("span", "bar-text", row.text));
      var track = el("div", "bar-track");
      var fill = el("div", "bar-fill");
      fill.style.width = (top ? Math.round(100 * row.score / top) : 0) + "%";
      track.appendChild(fill);
      body.appendChild(track);
      item.appendChild(body);
      item.appendChild(el("span", "bar-score", number(row.score)));
      box.appendChild(item);
    }
    return box;
  }

  function voted(state) {
    var line = el("p", "voted");
    var text = counted(state.voted, "voted");
    var space = text.indexOf(" ");
    line.appendChild(el("strong", "voted-count", text.slice(0, space)));
    line.appendChild(document.createTextNode(text.slice(space)));
    return line;
  }

  function methodNote(round) {
    return el("p", "method-note", t("explain-" + round.method));
  }

  /* Shrink the stage's type until everything fits on the screen: a projector cannot
     scroll, and the largest type that fits is the one read best from the back. */
  function fit() {
    var box = stage.parentNode;
    var scale = 1;
    stage.style.fontSize = "";
    while (box.scrollHeight > box.clientHeight + 1 && scale > 0.45) {
      scale -= 0.05;
      stage.style.fontSize = scale.toFixed(2) + "em";
    }
  }

  function render(state) {
    if (!state) { return; }
    var title = document.querySelector("[data-title]");
    var connected = document.querySelectorAll("[data-connected]");
    for (var i = 0; i < connected.length; i++) { connected[i].textContent = String(state.connected); }
    stage.innerHTML = "";
    var round = state.round;
    if (state.phase === "lobby") {
      title.textContent = state.title;
      stage.appendChild(el("p", "stage-message", t("lobby")));
    } else if (state.phase === "ideas") {
      /* The collection's question, when the facilitator gave one. */
      title.textContent = (state.activity && state.activity.prompt) || t("ideas");
      stage.appendChild(wall(state.ideas));
      /* The wall carries the newest ideas only (a projector cannot show hundreds). */
      var more = (state.ideas_total || 0) - state.ideas.length;
      if (more > 0) { stage.appendChild(el("p", "stage-sub", "+ " + counted(more, "more"))); }
    } else if (state.phase === "vote" && round) {
      title.textContent = round.title;
      stage.appendChild(methodNote(round));
      stage.appendChild(voted(state));
      stage.appendChild(state.results ? bars(state.results) : el("p", "stage-message", t("hidden")));
    } else if (state.phase === "results" && round) {
      title.textContent = round.title;
      if (state.results) {
        stage.appendChild(el("p", "stage-sub", t("results") + " · " +
          counted(state.results.voters, "voters") + " · " + t("unit-" + round.method)));
        if (state.results.disagree_top) { stage.appendChild(el("p", "note-disagree", t("disagree"))); }
        stage.appendChild(bars(state.results));
      } else {
        stage.appendChild(voted(state));
        stage.appendChild(el("p", "stage-message", t("closed")));
      }
    }
    fit();
  }

  window.addEventListener("resize", fit);

  live.connect({ code: stage.getAttribute("data-code"), role: "screen", event: "screen_changed",
    onState: render, offlineText: t("offline") });
})();
