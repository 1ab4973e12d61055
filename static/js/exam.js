// The exam page: one question per screen, autosave with offline retry, the server's clock.
// Server-rendered data arrives in #sitting-state; every change is PUT to the API at once and
// kept in localStorage until the server acknowledges it, so a reload or a dropped network loses
// nothing. Saves go one after another and carry the item's revision, so a stale tab never
// overwrites a newer answer given elsewhere (the server answers 409 stale_revision).
// Ending the exam, by the button or by the clock, first delivers every queued change; what cannot
// reach the server before the grace runs out is listed on the results page as "did not count".
(function () {
  "use strict";

  const root = document.getElementById("exam");
  if (!root) return;
  const state = JSON.parse(document.getElementById("sitting-state").textContent);
  // Mocks and timed practice blocks: the clock, no feedback until the end.
  const isMock = root.dataset.timed === "1";
  const apiUrl = root.dataset.api;
  const resultsUrl = root.dataset.results;
  const sessionUrl = root.dataset.session;
  const graceMs = Number(root.dataset.graceSeconds || 10) * 1000;
  // "places": an open timed sitting names options by place (1..n), not by id; a queue kept under
  // the old key (option ids) must not be replayed as places.
  const storeKey = "examprep:sitting:" + state.id + ":pending:places";
  const warnedKey = "examprep:sitting:" + state.id + ":warned";
  const items = state.items;
  const $ = (id) => document.getElementById(id);
  const letters = "ABCDEF";
  // One save on the wire at a time: the server moves the resume position to the item of each
  // save, so saves must arrive in order (the current question's last).
  const MAX_PARALLEL = 1;
  const ANSWER_FIELDS = ["selected", "struck", "flagged"];

  let csrf = document.querySelector("#end-form input[name=csrfmiddlewaretoken]").value;
  let index = Math.min(Math.max((state.current_position || 1) - 1, 0), items.length - 1);
  let enteredAt = performance.now();
  let pending = loadPending();
  const inFlight = new Set();     // positions with a save on the wire (one per item at a time)
  const notCounted = new Set();   // positions whose change the server refused: the sitting closed
  let retryDelay = 2000;
  let retryTimer = null;
  let failing = false;            // the last save failed: announce the recovery once it works
  let ending = false;             // the learner ended the sitting or the clock ran out
  let closed = false;             // the server says the sitting is over
  const touched = new Set();      // positions changed on this page: the server copy may be older
  const drainWaiters = [];

  // ---- persistence -------------------------------------------------------------------------
  function loadPending() {
    try { return JSON.parse(localStorage.getItem(storeKey)) || {}; } catch (e) { return {}; }
  }
  function storePending() {
    try {
      if (Object.keys(pending).length) localStorage.setItem(storeKey, JSON.stringify(pending));
      else localStorage.removeItem(storeKey);
    } catch (e) { /* storage full or disabled: the server copy still counts */ }
  }
  // Unsent changes from an earlier visit win over the server's copy: they are newer (unless the
  // server's revision moved on meanwhile; then the save is refused and the page shows the server's).
  for (const [pos, change] of Object.entries(pending)) {
    const item = items[Number(pos) - 1];
    if (!item || item.feedback) { delete pending[pos]; continue; }
    if (change.selected) item.selected = change.selected;
    if (change.struck) item.struck = change.struck;
    if (change.flagged !== undefined) item.flagged = change.flagged;
  }

  function hasAnswerFields(change) {
    return ANSWER_FIELDS.some((f) => change[f] !== undefined);
  }

  function queue(item, fields) {
    if (Object.keys(fields).length) touched.add(item.position);
    const change = pending[item.position] || {};
    // The revision this change was made on: the server refuses it if the item moved on since.
    if (hasAnswerFields(fields) && change.revision === undefined && item.revision !== undefined) {
      change.revision = item.revision;
    }
    Object.assign(change, fields);
    pending[item.position] = change;
    storePending();
    flush();
  }

  // ---- status and announcements -------------------------------------------------------------
  function setStatus(text, bad) {
    const el = $("save-status");
    if (el.textContent !== text) el.textContent = text;
    el.classList.toggle("bad", !!bad);
  }
  // Screen readers hear save failures and the recovery, not every "Saving…/Saved".
  function announceSave(text) { $("save-alert").textContent = text; }
  function showProblem(text) {
    const el = $("save-problem");
    el.textContent = text || "";
    el.hidden = !text;
  }
  function say(region, text) {
    // Clear first so the same words are spoken again when asked again.
    region.textContent = "";
    setTimeout(() => { region.textContent = text; }, 50);
  }

  // ---- talking to the server ----------------------------------------------------------------
  async function request(url, options) {
    return fetch(url, Object.assign({
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf, "Accept": "application/json" },
    }, options));
  }

  // After a log-out and log-in in another tab the page's CSRF token is stale: fetch the current
  // one. Returns false when the browser is not logged in at all.
  async function refreshToken() {
    try {
      const r = await fetch(sessionUrl, { credentials: "same-origin", headers: { "Accept": "application/json" } });
      if (!r.ok) return false;
      const body = await r.json();
      if (body.csrf_token) {
        csrf = body.csrf_token;
        document.querySelectorAll("input[name=csrfmiddlewaretoken]").forEach((i) => { i.value = csrf; });
      }
      return !!body.authenticated;
    } catch (e) { return null; }
  }

  function settleDrain() {
    if (Object.keys(pending).length && !closed) return;
    while (drainWaiters.length) drainWaiters.shift()();
  }

  function scheduleRetry() {
    clearTimeout(retryTimer);
    retryTimer = setTimeout(flush, retryDelay);
    retryDelay = Math.min(retryDelay * 2, ending ? 2000 : 30000);
  }

  function flush() {
    if (closed) { settleDrain(); return; }
    const current = String(items[index].position);
    const positions = Object.keys(pending).filter((p) => !inFlight.has(p))
      .sort((a, b) => (a === current) - (b === current));
    if (!positions.length && !inFlight.size) {
      setStatus("Saved");
      settleDrain();
      return;
    }
    for (const pos of positions) {
      if (inFlight.size >= MAX_PARALLEL) break;
      send(pos);
    }
  }

  // Error bodies: {type, errors: [{code, detail, attr}], extra?}; the first error names the case.
  function errorCode(body) { return body && body.errors && body.errors[0] ? body.errors[0].code : ""; }
  function errorDetail(body) {
    return body && body.errors ? body.errors.map((e) => e.detail).join(" ") : "";
  }

  async function send(pos) {
    inFlight.add(pos);
    setStatus("Saving…");
    const change = pending[pos];
    const body = Object.assign({}, change);
    if (!hasAnswerFields(body)) delete body.revision;  // time and position only: never stale
    const sent = JSON.stringify(change);
    let response = null;
    try {
      response = await request(apiUrl + "items/" + pos + "/", { method: "PUT", body: JSON.stringify(body) });
    } catch (e) { /* offline */ }
    inFlight.delete(pos);
    const item = items[Number(pos) - 1];
    if (response && response.ok) {
      const saved = await response.json().catch(() => ({}));
      if (saved.revision !== undefined) item.revision = saved.revision;
      if (pending[pos] && JSON.stringify(pending[pos]) === sent) delete pending[pos];
      else if (pending[pos]) {
        // Changed again while this save was on the wire: send the rest on the new revision.
        delete pending[pos].seconds;
        if (saved.revision !== undefined) pending[pos].revision = saved.revision;
        else delete pending[pos].revision;
      }
      storePending();
      retryDelay = 2000;
      if (failing) { failing = false; showProblem(""); announceSave("Connection back: all answers are saved."); }
      if (saved.feedback) {
        item.feedback = saved.feedback;
        item.selected = saved.selected;
        if (items[index] === item && !$("question-view").hidden) { render(); $("feedback").focus(); }
      }
      flush();
      return;
    }
    if (response && response.status === 409) {
      const refusal = await response.json().catch(() => ({}));
      // The API's error body: {type, errors: [{code, detail, attr}], extra}.
      if (errorCode(refusal) === "stale_revision" && refusal.extra && refusal.extra.item) {
        staleItem(pos, refusal.extra.item); flush(); return;
      }
      if (pending[pos] && pending[pos].selected !== undefined) notCounted.add(Number(pos));
      sittingClosed();
      return;
    }
    if (response && response.status === 400) {
      const refusal = await response.json().catch(() => ({}));
      delete pending[pos];
      storePending();
      $("limit-message").textContent = errorDetail(refusal) || "That change was refused.";
      flush();
      return;
    }
    failing = true;
    setStatus("Not saved", true);
    if (ending) $("ending").textContent = "Cannot reach the server yet. Your answers are kept in this browser and are being sent.";
    if (response && (response.status === 403 || response.status === 401)) {
      const loggedIn = await refreshToken();
      if (loggedIn) { flush(); return; }  // fresh token: try again at once
      if (loggedIn === false) {
        const text = "Not saved: you are logged out. Log in again (in another tab); your answers are kept in this browser and will be sent.";
        showProblem(text); announceSave(text);
      }
    } else if (response && response.status === 404) {
      // The sitting is not this session's: another account logged in (in another tab).
      const text = "Not saved: this browser is now logged in as someone else, and this exam is not theirs. Log in again as the learner who started it (in another tab); your answers are kept in this browser and will be sent.";
      showProblem(text); announceSave(text);
    } else {
      const text = "Not saved: no connection to the server. Retrying; your answers are kept in this browser.";
      showProblem(text); announceSave(text);
    }
    scheduleRetry();
  }

  // The item changed in another tab or on another device after this page last saw it.
  function staleItem(pos, server) {
    const item = items[Number(pos) - 1];
    const change = pending[pos] || {};
    const same = ANSWER_FIELDS.every((f) => change[f] === undefined ||
      JSON.stringify(change[f]) === JSON.stringify(server[f]));
    item.selected = server.selected;
    item.struck = server.struck;
    item.flagged = server.flagged;
    item.revision = server.revision;
    const rest = {};
    if (change.seconds) rest.seconds = change.seconds;
    if (Object.keys(rest).length) pending[pos] = rest; else delete pending[pos];
    storePending();
    if (!same) {
      const text = "Question " + pos + " was changed in another tab or on another device; this page now shows the answer saved there.";
      $("stale-message").textContent = text;
      $("stale-message").hidden = false;
    }
    if (items[index] === item && !$("question-view").hidden) render();
  }

  // Resolves when nothing is queued (true) or at `until` (a performance.now() value; false).
  function drain(until) {
    return new Promise((resolve) => {
      let done = false;
      const finish = (value) => { if (!done) { done = true; resolve(value); } };
      drainWaiters.push(() => finish(true));
      if (until !== undefined) setTimeout(() => finish(false), Math.max(0, until - performance.now()));
      clearTimeout(retryTimer);
      retryDelay = 1000;
      flush();
    });
  }

  function answerPositions() {
    return Object.entries(pending).filter(([, c]) => c.selected !== undefined).map(([p]) => Number(p));
  }

  function goToResults() {
    try { localStorage.removeItem(storeKey); localStorage.removeItem(warnedKey); } catch (e) { /* ignore */ }
    const lost = Array.from(notCounted).sort((a, b) => a - b);
    window.location.assign(resultsUrl + (lost.length ? "?not_counted=" + lost.join(",") : ""));
  }

  function sittingClosed() {
    closed = true;
    answerPositions().forEach((p) => notCounted.add(p));
    pending = {};
    settleDrain();
    if (!ending) goToResults();
  }

  // End the sitting: deliver every queued change first (up to the deadline's grace), then submit.
  async function endSitting() {
    if (ending) return;
    ending = true;
    bankTime();
    $("ending").hidden = false;
    if ($("confirm-end").open) $("confirm-end").close();
    // The server takes answers until the deadline plus its grace; keep a margin for the trip.
    const until = deadlineAt !== null ? deadlineAt + graceMs - 1500 : undefined;
    let delivered = await drain(until);
    while (!delivered && until === undefined && !closed) {
      $("ending").textContent = "Cannot reach the server. Your answers are kept in this browser; the exam ends as soon as they are delivered.";
      delivered = await drain(performance.now() + 5000);
    }
    answerPositions().forEach((p) => notCounted.add(p));
    for (let attempt = 0; !closed; attempt++) {
      let response = null;
      try { response = await request(root.dataset.submit, { method: "POST", body: "{}" }); } catch (e) { /* offline */ }
      if (response && (response.ok || response.status === 409 || response.status === 404)) break;
      if (response && response.status === 403) { await refreshToken(); continue; }
      // Past the grace the server finishes the sitting by itself; the results page shows it then.
      if (until !== undefined && performance.now() > until + 20000 && attempt > 3) break;
      await new Promise((r) => setTimeout(r, 2000));
    }
    goToResults();
  }

  // ---- time on question ---------------------------------------------------------------------
  function bankTime() {
    const item = items[index];
    const seconds = Math.round((performance.now() - enteredAt) / 1000);
    enteredAt = performance.now();
    if (seconds > 0 && !item.feedback && !ending) {
      const change = pending[item.position] || {};
      change.seconds = (change.seconds || 0) + seconds;
      pending[item.position] = change;
      storePending();
    }
  }

  // ---- rendering ----------------------------------------------------------------------------
  function progress(item) {
    const chosen = item.selected.length, needed = item.question.select_count;
    if (!chosen) return "unanswered";
    return chosen < needed ? "incomplete" : "answered";
  }

  function render() {
    // Re-rendering replaces the options: keep the keyboard focus on the same control.
    const activeId = document.activeElement ? document.activeElement.id : "";
    const item = items[index];
    const q = item.question;
    const multiple = q.kind === "multiple";
    $("progress-label").textContent = "Question " + (index + 1) + " of " + items.length;
    $("stem").innerHTML = q.stem_html;
    $("choose-label").textContent = q.choose_label;
    $("limit-message").textContent = "";
    const list = $("option-list");
    list.textContent = "";
    const locked = !!item.feedback;
    q.choices.forEach((choice, i) => {
      const row = document.createElement("div");
      row.className = "option";
      const struck = item.struck.includes(choice.id);
      row.classList.toggle("struck", struck);
      const id = "choice-" + choice.id;
      const input = document.createElement("input");
      input.type = multiple ? "checkbox" : "radio";
      input.name = "choice";
      input.id = id;
      input.value = choice.id;
      input.checked = item.selected.includes(choice.id);
      input.disabled = locked;
      input.addEventListener("change", () => choose(choice.id, input));
      const label = document.createElement("label");
      label.htmlFor = id;
      const letter = document.createElement("span");
      letter.className = "option-letter";
      letter.textContent = letters[i] + ".";
      const text = document.createElement("span");
      text.className = "option-text prose";
      text.innerHTML = choice.text_html;
      label.append(letter, " ", text);
      const strike = document.createElement("button");
      strike.type = "button";
      strike.id = "strike-" + choice.id;
      strike.className = "strike small-button";
      strike.setAttribute("aria-pressed", struck ? "true" : "false");
      strike.textContent = struck ? "Restore" : "Strike out";
      strike.setAttribute("aria-label", (struck ? "Restore option " : "Strike out option ") + letters[i]);
      strike.addEventListener("click", () => toggleStrike(choice.id));
      row.append(input, label, strike);
      if (item.feedback) decorate(row, choice.id, item.feedback);
      list.append(row);
    });
    const flag = $("flag");
    flag.setAttribute("aria-pressed", item.flagged ? "true" : "false");
    flag.classList.toggle("is-flagged", item.flagged);
    flag.firstChild.textContent = item.flagged ? "⚑ Flagged " : "Flag for review ";
    $("prev").disabled = index === 0;
    $("next").disabled = index === items.length - 1;
    const status = progress(item);
    $("item-status").textContent = status === "incomplete"
      ? "Incomplete: " + item.selected.length + " of " + q.select_count + " chosen. An incomplete answer scores zero." : "";
    const unsure = $("unsure");
    if (unsure) {
      unsure.checked = !!(item.feedback ? item.feedback.unsure : item.unsure);
      unsure.disabled = locked;
    }
    const check = $("check");
    if (check) {
      // Practice checks a complete answer: as many options as the question asks for.
      check.hidden = locked;
      check.disabled = item.selected.length !== q.select_count;
    }
    renderFeedback(item);
    updatePace();
    if (/^(choice|strike)-/.test(activeId) && $(activeId) && document.activeElement !== $(activeId)) {
      $(activeId).focus();
    }
  }

  function decorate(row, choiceId, feedback) {
    const info = feedback.choices.find((c) => c.id === choiceId);
    if (!info) return;
    const chosen = items[index].selected.includes(choiceId);
    row.classList.add(info.is_correct ? "is-correct" : "is-wrong");
    if (chosen) row.classList.add("chosen");
    const mark = document.createElement("strong");
    mark.className = "pick-mark " + (info.is_correct ? "pass" : "fail");
    if (chosen) mark.textContent = info.is_correct ? "✓ Your choice — right. " : "✗ Your choice — wrong. ";
    else mark.textContent = info.is_correct ? "✓ Right option (you did not choose it). " : "Wrong option. ";
    const why = document.createElement("div");
    why.className = "why prose";
    why.innerHTML = info.why_html;
    why.prepend(mark);
    const peer = feedback.peers && feedback.peers.enough ? feedback.peers.options.find((o) => o.id === choiceId) : null;
    if (peer) {
      const share = document.createElement("span");
      share.className = "peer-share muted";
      share.textContent = " Picked by " + Math.round(peer.share * 100) + " % of learners.";
      why.append(share);
    }
    row.append(why);
  }

  // ---- learning from the answer: peers, the miss log, a private note (tutor mode) -----------
  function peersLine(f) {
    const p = document.createElement("p");
    p.className = "peers muted";
    const peers = f.peers || { enough: false };
    p.textContent = peers.enough
      ? "Other learners: " + Math.round(peers.right_share * 100) + " % answered this right (" + peers.learners + " learners)."
      : "Other learners: not enough answers yet.";
    return p;
  }

  const REASON_LABELS = { didnt_know: "Didn't know it", misread: "Misread the scenario",
    reasoning: "Wrong reasoning", time: "Ran out of time", guessed: "Guessed right" };

  async function send_(url, method, body) {
    let r = await request(url, { method: method, body: body === undefined ? undefined : JSON.stringify(body) });
    if (r.status === 403 && await refreshToken()) r = await request(url, { method: method, body: body === undefined ? undefined : JSON.stringify(body) });
    return r;
  }

  function missForm(item) {
    const f = item.feedback;
    const wrap = document.createElement("p");
    wrap.className = "miss-form";
    const label = document.createElement("label");
    label.htmlFor = "miss-reason";
    label.textContent = f.correct ? "Right, but was it a guess? " : "Why did you miss it? ";
    const select = document.createElement("select");
    select.id = "miss-reason";
    select.append(new Option("— not tagged —", ""));
    (f.miss_reasons || []).forEach((r) => select.append(new Option(REASON_LABELS[r] || r, r, false, f.miss_reason === r)));
    const status = document.createElement("span");
    status.className = "muted";
    status.setAttribute("role", "status");
    select.addEventListener("change", async () => {
      const url = apiUrl + "items/" + item.position + "/miss/";
      const r = await send_(url, select.value ? "PUT" : "DELETE", select.value ? { reason: select.value } : undefined).catch(() => null);
      if (r && r.ok) { f.miss_reason = select.value || null; status.textContent = " Saved."; }
      else status.textContent = " Not saved; try again.";
    });
    wrap.append(label, select, status);
    return wrap;
  }

  function noteForm(item) {
    const f = item.feedback;
    const wrap = document.createElement("div");
    wrap.className = "note-form";
    const label = document.createElement("label");
    label.htmlFor = "note-text";
    label.textContent = "My note (private; markdown)";
    const shown = document.createElement("div");
    shown.className = "prose note";
    if (f.note) shown.innerHTML = f.note.html;  // sanitised on the server
    const text = document.createElement("textarea");
    text.id = "note-text";
    text.rows = 3;
    text.value = f.note ? f.note.text : "";
    const save = document.createElement("button");
    save.type = "button";
    save.id = "save-note";
    save.className = "small-button";
    save.textContent = "Save note";
    const status = document.createElement("span");
    status.className = "muted";
    status.setAttribute("role", "status");
    save.addEventListener("click", async () => {
      const r = await send_(apiUrl + "items/" + item.position + "/note/", "PUT", { text: text.value }).catch(() => null);
      if (r && r.status === 204) { f.note = null; shown.textContent = ""; status.textContent = " Note deleted."; }
      else if (r && r.ok) { f.note = await r.json(); shown.innerHTML = f.note.html; status.textContent = " Note saved."; }
      else {
        const body = r ? await r.json().catch(() => ({})) : {};
        const reason = errorDetail(body);
        status.textContent = " Not saved" + (reason ? ": " + reason : "; try again") + " (your text is kept).";
      }
    });
    wrap.append(label, shown, text, save, status);
    return wrap;
  }

  function renderFeedback(item) {
    const box = $("feedback");
    if (!item.feedback) { box.hidden = true; box.textContent = ""; return; }
    const f = item.feedback;
    box.hidden = false;
    box.textContent = "";
    const verdict = document.createElement("p");
    verdict.className = f.correct ? "verdict pass" : "verdict fail";
    verdict.textContent = f.correct ? "✓ Correct." : "✗ Not quite.";
    box.append(verdict);
    if (f.explanation_html) {
      const ex = document.createElement("div");
      ex.className = "prose";
      ex.innerHTML = f.explanation_html;
      box.append(ex);
    }
    f.revealed_misconceptions.forEach((card) => {
      const p = document.createElement("div");
      p.className = "misconception";
      const a = document.createElement("a");
      a.href = card.url;
      a.textContent = "Misconception: " + card.belief;
      const body = document.createElement("div");
      body.className = "prose";
      body.innerHTML = card.correction_html;
      p.append(a, body);
      box.append(p);
    });
    box.append(peersLine(f), missForm(item), noteForm(item));
    const links = document.createElement("p");
    const topic = document.createElement("a");
    topic.href = f.topic_url;
    topic.textContent = "Study this topic";
    const report = document.createElement("a");
    report.href = "/questions/" + item.question.id + "/report/?next=" + encodeURIComponent(location.pathname);
    report.textContent = "Report a problem";
    links.append(topic, " · ", report);
    box.append(links);
    if (f.references && f.references.length) {
      const ul = document.createElement("ul");
      ul.className = "references";
      f.references.forEach((ref) => {
        const li = document.createElement("li");
        const a = document.createElement("a");
        a.href = ref; a.textContent = ref; a.rel = "noopener noreferrer";
        li.append(a); ul.append(li);
      });
      box.append(ul);
    }
  }

  // ---- actions ------------------------------------------------------------------------------
  function choose(choiceId, input) {
    const item = items[index];
    if (item.feedback || ending) return;
    const max = item.question.select_count;
    let selected = item.selected.slice();
    if (item.question.kind === "single") {
      selected = [choiceId];
    } else if (input ? input.checked : !selected.includes(choiceId)) {
      if (selected.length >= max) {
        if (input) input.checked = false;
        $("limit-message").textContent = "You can select only " + max + ". Clear one first.";
        return;
      }
      selected.push(choiceId);
    } else {
      selected = selected.filter((id) => id !== choiceId);
    }
    $("limit-message").textContent = "";
    item.selected = selected;
    touched.add(item.position);
    if (isMock) queue(item, { selected: selected });
    render();
    const again = document.getElementById("choice-" + choiceId);
    if (again) again.focus();
  }

  function toggleStrike(choiceId) {
    const item = items[index];
    if (ending) return;
    item.struck = item.struck.includes(choiceId)
      ? item.struck.filter((id) => id !== choiceId) : item.struck.concat([choiceId]);
    queue(item, { struck: item.struck });
    render();
    const again = document.getElementById("strike-" + choiceId);
    if (again) again.focus();
  }

  function toggleFlag() {
    const item = items[index];
    if (ending) return;
    item.flagged = !item.flagged;
    queue(item, { flagged: item.flagged });
    render();
  }

  function go(to) {
    if (to < 0 || to >= items.length) return;
    bankTime();
    index = to;
    enteredAt = performance.now();
    // Remember where the learner is, so another device resumes here too.
    queue(items[index], {});
    showQuestion();
    render();
    window.scrollTo(0, 0);
    // The heading says "Question n of N": a screen reader hears the new question.
    $("progress-label").focus({ preventScroll: true });
  }

  function showQuestion() { $("review-view").hidden = true; $("question-view").hidden = false; }

  let reviewFilter = "all";
  document.querySelectorAll(".review-filters button").forEach((button) => {
    button.addEventListener("click", () => {
      reviewFilter = button.dataset.filter;
      document.querySelectorAll(".review-filters button").forEach((b) =>
        b.setAttribute("aria-pressed", b === button ? "true" : "false"));
      showReview(true);
    });
  });

  function counts() {
    const c = { answered: 0, incomplete: 0, unanswered: 0, flagged: 0 };
    items.forEach((item) => { c[progress(item)]++; if (item.flagged) c.flagged++; });
    return c;
  }

  function showReview(keepFocus) {
    bankTime();
    flush();
    $("question-view").hidden = true;
    $("review-view").hidden = false;
    const list = $("review-list");
    list.textContent = "";
    items.forEach((item, i) => {
      const status = progress(item);
      if ((reviewFilter === "unanswered" && status !== "unanswered") ||
          (reviewFilter === "incomplete" && status !== "incomplete") ||
          (reviewFilter === "flagged" && !item.flagged)) return;
      const li = document.createElement("li");
      const b = document.createElement("button");
      b.type = "button";
      b.className = "review-item " + status + (item.flagged ? " flagged" : "");
      b.textContent = (i + 1) + (status === "incomplete" ? " ½" : "") + (item.flagged ? " ⚑" : "");
      const detail = status === "incomplete"
        ? "incomplete (" + item.selected.length + " of " + item.question.select_count + " chosen)" : status;
      b.setAttribute("aria-label", "Question " + (i + 1) + ": " + detail + (item.flagged ? ", flagged" : ""));
      b.addEventListener("click", () => go(i));
      li.append(b);
      list.append(li);
    });
    const c = counts();
    $("review-summary").textContent = c.answered + " answered, " + c.incomplete + " incomplete, " +
      c.unanswered + " unanswered, " + c.flagged + " flagged.";
    if (keepFocus !== true) $("review-title").focus();
    return c;
  }

  function confirmEnd() {
    const c = showReview();
    const parts = [c.unanswered + " unanswered", c.incomplete + " incomplete", c.flagged + " flagged"];
    $("confirm-text").textContent = "You have " + parts.join(", ") + " question(s)." +
      (isMock ? " Unanswered and incomplete questions score zero (no partial credit). You cannot come back after ending." : "");
    $("confirm-end").showModal();
  }

  // ---- the clock (mocks only) -----------------------------------------------------------------
  let deadlineAt = null;   // performance.now() value at the deadline: immune to the wall clock
  const warned = new Set(loadWarned());
  function loadWarned() {
    try { return JSON.parse(localStorage.getItem(warnedKey)) || []; } catch (e) { return []; }
  }
  function syncClock(remaining) { deadlineAt = performance.now() + remaining * 1000; }
  async function resync() {
    try {
      const r = await request(apiUrl + "clock/", { method: "GET" });
      if (r.ok) {
        const body = await r.json();
        if (body.status !== "in_progress") { if (!ending) sittingClosed(); return; }
        syncClock(body.remaining_seconds);
      }
    } catch (e) { /* keep counting locally */ }
  }
  function fmt(s) {
    const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), sec = s % 60;
    return h + ":" + String(m).padStart(2, "0") + ":" + String(sec).padStart(2, "0");
  }
  function spoken(s) {
    if (s < 60) return s + " second" + (s === 1 ? "" : "s") + " remaining.";
    const total = Math.round(s / 60), h = Math.floor(total / 60), m = total % 60;
    const parts = [];
    if (h) parts.push(h + " hour" + (h === 1 ? "" : "s"));
    if (m || !h) parts.push(m + " minute" + (m === 1 ? "" : "s"));
    return parts.join(" ") + " remaining.";
  }
  function remaining() { return Math.max(0, Math.round((deadlineAt - performance.now()) / 1000)); }
  function tick() {
    const left = remaining();
    $("timer").textContent = fmt(left);
    // One warning per threshold per sitting (kept across reloads), saying the real time left.
    const crossed = [30, 15, 5].filter((m) => left <= m * 60 && left > 0 && !warned.has(m));
    if (crossed.length) {
      // Also count a threshold less than a minute away as told: the same words twice in a row
      // (after a reload at 5:40, say) would only be noise.
      [30, 15, 5].filter((m) => left <= m * 60 + 60).forEach((m) => warned.add(m));
      try { localStorage.setItem(warnedKey, JSON.stringify(Array.from(warned))); } catch (e) { /* ignore */ }
      const text = spoken(left);
      $("time-alert").textContent = text;
      const banner = $("time-banner");
      banner.textContent = text;
      banner.hidden = false;
    }
    if (left <= 0) endSitting();
    updatePace();
  }
  function updatePace() {
    const pace = $("pace");
    if (!pace || deadlineAt === null) return;
    const total = Number(root.dataset.minutesPerQuestion) * 60 * items.length;
    const used = total - remaining();
    const expected = used / (Number(root.dataset.minutesPerQuestion) * 60);
    const answered = items.filter((i) => progress(i) === "answered").length;
    const diff = Math.round(answered - expected);
    pace.textContent = diff >= 0 ? "On pace (+" + diff + ")" : "Behind pace by " + (-diff) + " question(s)";
  }

  // ---- wiring -------------------------------------------------------------------------------
  $("prev").addEventListener("click", () => go(index - 1));
  $("next").addEventListener("click", () => go(index + 1));
  $("flag").addEventListener("click", toggleFlag);
  $("show-review").addEventListener("click", showReview);
  $("back-to-question").addEventListener("click", () => { showQuestion(); render(); $("progress-label").focus(); });
  $("end").addEventListener("click", confirmEnd);
  $("cancel-end").addEventListener("click", () => $("confirm-end").close());
  $("end-form").addEventListener("submit", (event) => {
    // The form is the no-JavaScript fallback; here the page ends through the API after saving.
    event.preventDefault();
    endSitting();
  });
  if ($("unsure")) $("unsure").addEventListener("change", () => { items[index].unsure = $("unsure").checked; });
  $("question-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const item = items[index];
    if (isMock || item.feedback || item.selected.length !== item.question.select_count) return;
    bankTime();
    const change = { selected: item.selected };
    if ($("unsure") && $("unsure").checked) change.unsure = true;
    item.unsure = !!change.unsure;
    queue(item, change);
  });
  document.addEventListener("keydown", (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey || ending) return;
    const tag = (event.target.tagName || "").toLowerCase();
    if (tag === "textarea" || tag === "select" || (tag === "input" && !["radio", "checkbox"].includes(event.target.type))) return;
    if ($("confirm-end").open) return;
    // Letters by the character typed (any keyboard layout); digits also by their key position,
    // since Shift+1 types "!" on most layouts.
    const key = (event.key || "").toUpperCase();
    if (key === "T" && isMock) { say($("time-alert"), spoken(remaining())); event.preventDefault(); return; }
    if (key === "R") { showReview(); event.preventDefault(); return; }
    if ($("question-view").hidden) return;
    const item = items[index];
    if (key === "N") { go(index + 1); event.preventDefault(); return; }
    if (key === "P") { go(index - 1); event.preventDefault(); return; }
    if (key === "M") { toggleFlag(); event.preventDefault(); return; }
    let pick = -1;
    const digit = /^(?:Digit|Numpad)([1-6])$/.exec(event.code || "");
    if (/^[A-F]$/.test(key)) pick = letters.indexOf(key);
    else if (/^[1-6]$/.test(key)) pick = Number(key) - 1;
    else if (digit) pick = Number(digit[1]) - 1;
    if (pick < 0 || pick >= item.question.choices.length) return;
    event.preventDefault();
    const id = item.question.choices[pick].id;
    if (event.shiftKey) { toggleStrike(id); return; }
    const input = document.getElementById("choice-" + id);
    if (input && !input.disabled) {
      if (item.question.kind === "single") input.checked = true;
      else input.checked = !input.checked;
      choose(id, input);
    }
  });
  window.addEventListener("online", flush);
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "hidden") { bankTime(); storePending(); }
    else { if (isMock) resync(); flush(); }
  });

  if (isMock) {
    const hidden = root.dataset.hideTimer === "1";
    const toggle = $("toggle-timer");
    const setHidden = (h) => {
      $("timer").hidden = h; $("pace").hidden = h;
      toggle.textContent = h ? "Show timer" : "Hide timer";
      toggle.setAttribute("aria-pressed", h ? "true" : "false");
    };
    setHidden(hidden);
    toggle.addEventListener("click", () => setHidden(!$("timer").hidden));
    syncClock(state.remaining_seconds);
    tick();
    setInterval(tick, 1000);
    setInterval(resync, 60000);
  }
  // The page's embedded state can be older than a save that was still in flight when the page
  // was reloaded (the old page received the acknowledgement and forgot its copy). Re-read it.
  async function refreshFromServer() {
    try {
      const r = await request(apiUrl, { method: "GET" });
      if (!r.ok) return;
      const fresh = await r.json();
      if (fresh.status !== "in_progress") { sittingClosed(); return; }
      fresh.items.forEach((serverItem, i) => {
        const item = items[i];
        if (!item || pending[item.position] || touched.has(item.position)) return;
        item.selected = serverItem.selected;
        item.struck = serverItem.struck;
        item.flagged = serverItem.flagged;
        if (serverItem.revision !== undefined) item.revision = serverItem.revision;
        if (serverItem.feedback) item.feedback = serverItem.feedback;
      });
      if (!$("question-view").hidden) render();
    } catch (e) { /* offline: the embedded state and localStorage stand */ }
  }

  render();
  flush();
  refreshFromServer();
})();
