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

  /* A score as the page's language writes it: "52,3" in French, "52.3" in English. */
  function number(value) {
    var lang = document.documentElement.getAttribute("lang") || "fr";
    return Number(value).toLocaleString(lang, {maximumFractionDigits: 1});
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    return node;
  }

  /* The wall's ideas under their theme, in the facilitator's order of the themes, those
     with no theme last; the ideas keep their order within a theme. */
  function byTheme(ideas, themes) {
    var order = {};
    for (var k = 0; k < themes.length; k++) { order[themes[k]] = k; }
    function rank(idea) {
      return idea.theme && order.hasOwnProperty(idea.theme) ? order[idea.theme] : themes.length;
    }
    return ideas.map(function (idea, at) { return { idea: idea, at: at }; })
      .sort(function (a, b) { return rank(a.idea) - rank(b.idea) || a.at - b.at; })
      .map(function (entry) { return entry.idea; });
  }

  /* `grouped`: a heading (an item across the grid) before each theme's first idea; the
     cards carry their heading (`heading`) so that a page starting inside a theme shows
     it again. */
  function wall(ideas, supports, grouped) {
    var list = el("ul", "wall");
    var heading = null;
    var current;
    for (var i = 0; i < ideas.length; i++) {
      var theme = grouped ? (ideas[i].theme || "") : undefined;
      if (grouped && theme !== current) {
        current = theme;
        heading = el("li", "wall-theme");
        heading.appendChild(el("h2", null, theme || t("no-theme")));
        list.appendChild(heading);
      }
      var card = el("li", "wall-card");
      card.heading = grouped ? heading : null;
      card.appendChild(el("span", "wall-text", ideas[i].text));
      /* The phones' +1s, when the collection shows them on the wall. */
      if (supports && supports[String(ideas[i].id)]) {
        card.appendChild(el("span", "wall-supports", "+" + supports[String(ideas[i].id)]));
      }
      list.appendChild(card);
    }
    return list;
  }

  /* The first SHOWN priorities, and those tied with the last of them: a top 10 never
     cuts through a tie. Up to TIED_MORE tied ones are drawn; more are counted in a line
     ("+ 7 à égalité"). */
  var SHOWN = 10;
  var TIED_MORE = 4;

  function bars(results) {
    var box = el("div", "bars");
    if (!results.voters) {  /* no rank before anyone has voted: every score is 0 */
      box.appendChild(el("p", "stage-message", t("no-votes")));
      return box;
    }
    var ranking = results.ranking.slice(0, SHOWN);
    var cut = ranking.length ? ranking[ranking.length - 1].rank : 0;
    var tied = [];
    for (var k = SHOWN; k < results.ranking.length && results.ranking[k].rank === cut; k++) {
      tied.push(results.ranking[k]);
    }
    ranking = ranking.concat(tied.length <= TIED_MORE ? tied : []);
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
      /* A ranking's Borda points need their rule beside them (the facilitator's page and
         the files say it): the hall reads the places and the bars. */
      item.appendChild(el("span", "bar-score",
        results.method === "ranking" ? "" : number(row.score)));
      box.appendChild(item);
    }
    if (tied.length > TIED_MORE) {
      box.appendChild(el("p", "stage-sub tied-more", "+ " + counted(tied.length, "tied")));
    }
    return box;
  }

  function voted(state) {
    var line = el("p", "voted");
    var text = counted(state.voted, "voted");
    var space = text.indexOf(" ");
    line.appendChild(el("strong", "voted-count", text.slice(0, space)));
    line.appendChild(document.createTextNode(text.slice(space)));
    var by = channels(state);
    if (by) { line.appendChild(by); }
    return line;
  }

  /* The ballots by channel ("cellulaire 3 · kiosque 1 · papier 2"), once any came from a
     kiosk or on paper: everyone counts, whatever they voted with. */
  function channels(state) {
    var c = state.channels;
    if (!c || !(c.kiosk || c.paper)) { return null; }
    return el("span", "voted-channels", " (" + ["phone", "kiosk", "paper"].map(function (name) {
      return t("channel-" + name) + " " + number(c[name] || 0);
    }).join(" · ") + ")");
  }

  /* Results by group the facilitator chose to show (already suppressed by the server):
     each group's ranks, the gaps between groups, or the lowest support in a group. */
  function french() { return (document.documentElement.getAttribute("lang") || "fr") === "fr"; }

  function percent(share) { return Math.round(100 * share) + (french() ? "\u00a0%" : "%"); }

  /* "rank 4: Yes", "rang 4 : Oui" (a no-break space before the colon in French). */
  function rankOf(rank, groups) {
    return t("g-rank") + " " + rank + (french() ? "\u00a0: " : ": ") + groups.join(", ");
  }

  function groupRanks(question) {
    var table = el("table", "groups-table");
    var head = el("tr");
    head.appendChild(el("th", "", t("g-priority")));
    head.appendChild(el("th", "", t("g-everyone")));
    for (var g = 0; g < question.groups.length; g++) {
      head.appendChild(el("th", "", question.groups[g].label));
    }
    var thead = el("thead");
    thead.appendChild(head);
    table.appendChild(thead);
    var body = el("tbody");
    var rows = question.rows.slice(0, 10);
    for (var i = 0; i < rows.length; i++) {
      var tr = el("tr");
      tr.appendChild(el("th", "", rows[i].text));
      tr.appendChild(el("td", "", rows[i].rank));
      for (var j = 0; j < rows[i].groups.length; j++) { tr.appendChild(el("td", "", rows[i].groups[j])); }
      body.appendChild(tr);
    }
    table.appendChild(body);
    return table;
  }

  function gaps(question) {
    var box = el("div", "gaps");
    var count = question.rows.length;
    for (var i = 0; i < question.gaps.length; i++) {
      var gap = question.gaps[i];
      var row = el("div", "gap-row");
      row.appendChild(el("span", "gap-text", gap.text));
      var track = el("div", "gap-track");
      var span = el("div", "gap-span");
      span.style.left = Math.round(100 * (gap.best_rank - 1) / Math.max(1, count - 1)) + "%";
      span.style.width = Math.round(100 * (gap.worst_rank - gap.best_rank) / Math.max(1, count - 1)) + "%";
      track.appendChild(span);
      row.appendChild(track);
      row.appendChild(el("span", "gap-ends", rankOf(gap.best_rank, gap.best) + " · " +
        rankOf(gap.worst_rank, gap.worst)));
      box.appendChild(row);
    }
    if (!question.gaps.length) { box.appendChild(el("p", "stage-message", t("g-no-gaps"))); }
    return box;
  }

  function consensus(question) {
    var box = el("div", "bars");
    var rows = question.rows.slice().sort(function (a, b) { return b.consensus - a.consensus; })
      .slice(0, 10);
    for (var i = 0; i < rows.length; i++) {
      var item = el("div", "bar-row");
      item.appendChild(el("span", "bar-rank", i + 1));
      var body = el("div", "bar-body");
      body.appendChild(el("span", "bar-text", rows[i].text));
      var track = el("div", "bar-track");
      var fill = el("div", "bar-fill");
      fill.style.width = Math.round(100 * (rows[i].consensus || 0)) + "%";
      track.appendChild(fill);
      body.appendChild(track);
      item.appendChild(body);
      item.appendChild(el("span", "bar-score", percent(rows[i].consensus || 0)));
      box.appendChild(item);
    }
    return box;
  }

  function byGroup(projected) {
    var box = el("div", "by-group");
    var question = projected.question;
    box.appendChild(el("p", "stage-sub", projected.title + " · " + t("g-" + projected.view)));
    if (projected.view === "gaps") { box.appendChild(gaps(question)); }
    else if (projected.view === "consensus") { box.appendChild(consensus(question)); }
    else { box.appendChild(groupRanks(question)); }
    var note = question.groups.map(function (g) { return g.label + " (" + g.voters + ")"; });
    box.appendChild(el("p", "method-note", note.join(" · ") + " · " + t("g-note")));
    return box;
  }

  function methodNote(round) {
    return el("p", "method-note", t("explain-" + round.method));
  }

  /* Shrink the stage's type a little until everything fits on the screen: a projector
     cannot scroll. Never below MIN_SCALE of the stage's type (at 1920 × 1080: ideas and
     results at 31 px or more, docs/accessibility.md): what does not fit then is paged
     (the wall) or left to the next screen, never shrunk out of reach of the back row. */
  var MIN_SCALE = 0.8;

  function overflowing() {
    var box = stage.parentNode;
    return box.scrollHeight > box.clientHeight + 1;
  }

  function fit() {
    var scale = 1;
    stage.style.fontSize = "";
    while (overflowing() && scale > MIN_SCALE + 1e-6) {
      scale -= 0.05;
      stage.style.fontSize = scale.toFixed(2) + "em";
    }
  }

  /* The wall in pages: as many ideas as fit at full size, the next ones WALL_PAGE_MS
     later, round and round, instead of shrinking them or cutting their words. */
  var WALL_PAGE_MS = 10000;
  var wallAt = 0;        /* the first idea of the page shown */
  var wallTimer = null;
  var shown = null;      /* the state on screen, for the page turns */

  function showWall(state) {
    /* Grouped once at least one idea carries a theme (else one heading would say nothing). */
    var grouped = !!state.wall_by_theme && state.ideas.some(function (idea) { return !!idea.theme; });
    var ideas = grouped ? byTheme(state.ideas, state.themes || []) : state.ideas;
    if (wallTimer) { clearTimeout(wallTimer); wallTimer = null; }
    if (!ideas.length) { stage.appendChild(el("p", "stage-message", t("no-ideas"))); return; }
    if (wallAt >= ideas.length) { wallAt = 0; }
    /* Every idea is on the page (a screen reader, a search, the same elements whatever
       the page); those of other pages are hidden. */
    var list = wall(ideas, state.support_counts, grouped);
    var items = list.children;
    for (var i = 0; i < items.length; i++) { items[i].hidden = true; }
    var cards = list.querySelectorAll(".wall-card");
    stage.appendChild(list);
    var count = 0;
    while (wallAt + count < ideas.length && count < 12) {
      var card = cards[wallAt + count];
      /* Its theme's heading comes with it (already shown for the page's earlier ones). */
      var opened = card.heading && card.heading.hidden ? card.heading : null;
      card.hidden = false;
      if (opened) { opened.hidden = false; }
      if (count > 0 && overflowing()) {
        card.hidden = true;
        if (opened) { opened.hidden = true; }
        break;
      }
      count += 1;
    }
    /* The page line is always there (hidden on a one-page wall): the same elements. */
    var line = el("p", "stage-sub wall-pages");
    line.hidden = count >= ideas.length;
    stage.appendChild(line);
    if (count < ideas.length) {
      var pages = Math.ceil(ideas.length / count);
      var page = Math.min(pages, Math.floor(wallAt / count) + 1);
      line.textContent = t("page") + " " + page + " / " + pages;
      var next = wallAt + count;
      wallTimer = setTimeout(function () {
        wallAt = next >= ideas.length ? 0 : next;
        render(shown);
      }, WALL_PAGE_MS);
    }
  }

  /* A question (multiple choice, scale, word cloud, open question): its results, drawn by
     their shape (the kinds' tallies, core/activities/poll.py), never by a kind's name. */
  function pollBars(results, scale) {
    /* Few rows (a scale, most questions) take the room the stage has: bigger type. */
    var box = el("div", "bars poll-bars" + (results.rows.length <= 6 ? " poll-few" : ""));
    for (var i = 0; i < results.rows.length; i++) {
      var row = results.rows[i];
      var item = el("div", "bar-row" + (scale ? "" : " poll-choice"));
      if (scale) { item.appendChild(el("span", "bar-rank", row.value)); }
      var body = el("div", "bar-body");
      var label = scale ? (row.value === 1 ? scale.low_label : row.value === 5 ? scale.high_label : "")
        : row.text;
      body.appendChild(el("span", "bar-text", label || "\u00a0"));
      var track = el("div", "bar-track");
      var fill = el("div", "bar-fill");
      fill.style.width = Math.round(100 * row.share) + "%";
      track.appendChild(fill);
      body.appendChild(track);
      item.appendChild(body);
      item.appendChild(el("span", "bar-score", number(row.count) + " · " + percent(row.share)));
      box.appendChild(item);
    }
    return box;
  }

  /* The cloud: the most given words biggest (1.3 to 3.5 times the stage's type, never
     below it); those that do not fit are counted in a line, never shrunk. */
  function cloud(results) {
    var box = el("ul", "cloud");
    var words = results.words;
    var top = words.length ? words[0].count : 1;
    for (var i = 0; i < words.length; i++) {
      var word = el("li", "cloud-word" + (i % 3 === 1 ? " cloud-alt" : ""), words[i].word);
      word.style.fontSize = (1.3 + 2.2 * (words[i].count / top)).toFixed(2) + "em";
      word.title = String(words[i].count);
      box.appendChild(word);
    }
    return box;
  }

  function trimToFit(list) {
    var hidden = 0;
    while (list.children.length > 1 && overflowing()) {
      list.removeChild(list.lastChild);
      hidden += 1;
    }
    return hidden;
  }

  function showPoll(state) {
    var poll = state.poll;
    var results = poll.results;
    stage.appendChild(el("p", "voted", counted(poll.answered, "answered")));
    if (!results) {
      stage.appendChild(el("p", "stage-message",
        poll.status === "open" ? t("poll-hidden") : t("poll-closed")));
      return;
    }
    if (results.rows) {
      var scale = results.rows.length && results.rows[0].value !== undefined ? poll.settings : null;
      if (scale && results.voters) {
        stage.appendChild(el("p", "stage-sub", t("mean") + " " + number(results.mean) + " · " +
          t("median") + " " + number(results.median)));
      }
      stage.appendChild(pollBars(results, scale));
      return;
    }
    var list = results.words ? cloud(results) :
      wall(results.answers.map(function (text) { return { text: text }; }));
    stage.appendChild(list);
    var more = el("p", "stage-sub");
    stage.appendChild(more);
    var hidden = trimToFit(list);
    if (hidden) { more.textContent = "+ " + hidden; }
  }

  function render(state) {
    if (!state) { return; }
    shown = state;
    /* Results and votes take the width: the join panel slims to a banner beside them. */
    var layout = document.querySelector(".screen-layout");
    if (layout) {
      layout.classList.toggle("slim-join", !state.groups && (state.phase === "vote" ||
        state.phase === "results" || (state.phase === "poll" && !!state.poll && !!state.poll.results)));
    }
    if (state.phase !== "ideas" && wallTimer) { clearTimeout(wallTimer); wallTimer = null; }
    var title = document.querySelector("[data-title]");
    var connected = document.querySelectorAll("[data-connected]");
    for (var i = 0; i < connected.length; i++) { connected[i].textContent = String(state.connected); }
    stage.innerHTML = "";
    var round = state.round;
    if (state.groups) {
      title.textContent = state.groups.question.text;
      stage.appendChild(byGroup(state.groups));
    } else if (state.phase === "lobby") {
      title.textContent = state.title;
      stage.appendChild(el("p", "stage-message", t("lobby")));
    } else if (state.phase === "ideas") {
      /* The collection's question, when the facilitator gave one. */
      title.textContent = (state.activity && state.activity.prompt) || t("ideas");
      showWall(state);
      /* The wall carries the newest ideas only (a projector cannot show hundreds). */
      var more = (state.ideas_total || 0) - state.ideas.length;
      if (more > 0) { stage.appendChild(el("p", "stage-sub", "+ " + counted(more, "more"))); }
    } else if (state.phase === "poll" && state.poll) {
      title.textContent = (state.activity && (state.activity.prompt || state.activity.title)) || "";
      showPoll(state);
    } else if (state.phase === "vote" && round) {
      title.textContent = round.title;
      stage.appendChild(methodNote(round));
      stage.appendChild(voted(state));
      stage.appendChild(state.results ? bars(state.results) : el("p", "stage-message", t("hidden")));
    } else if (state.phase === "results" && round) {
      title.textContent = round.title;
      if (state.results) {
        var sub = el("p", "stage-sub", t("results") + " · " +
          counted(state.results.voters, "voters") + " · " + t("unit-" + round.method));
        var by = channels(state);
        if (by) { sub.appendChild(by); }
        stage.appendChild(sub);
        if (state.results.disagree_top) { stage.appendChild(el("p", "note-disagree", t("disagree"))); }
        else if (state.results.disagree_top_n) {
          stage.appendChild(el("p", "note-disagree",
            t("disagree-top-n").replace("{n}", String(state.results.top_n))));
        }
        stage.appendChild(bars(state.results));
      } else {
        stage.appendChild(voted(state));
        stage.appendChild(el("p", "stage-message", t("closed")));
      }
    }
    fit();
  }

  window.addEventListener("resize", fit);

  /* A push: the countdown counts from its deadline and the server's time as it was sent
     (countdown.js); a page turn redraws the stage only. */
  function onState(state) {
    if (state && window.WorkshopCountdown) {
      window.WorkshopCountdown.set(state.timer || null, state.now);
    }
    render(state);
  }

  live.connect({ code: stage.getAttribute("data-code"), role: "screen", event: "screen_changed",
    onState: onState, offlineText: t("offline") });
})();
