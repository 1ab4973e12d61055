// The exam page: one question per screen, autosave with offline retry, the server's clock.
// Server-rendered data arrives in #sitting-state; every change is PUT to the API at once and
// kept in localStorage until the server acknowledges it, so a reload or a dropped network loses
// nothing.
(function () {
  "use strict";

  const root = document.getElementById("exam");
  if (!root) return;
  const state = JSON.parse(document.getElementById("sitting-state").textContent);
  const isMock = root.dataset.mode === "mock";
  const apiUrl = root.dataset.api;
  const resultsUrl = root.dataset.results;
  const csrf = document.querySelector("#end-form input[name=csrfmiddlewaretoken]").value;
  const storeKey = "examprep:sitting:" + state.id + ":pending";
  const items = state.items;
  const $ = (id) => document.getElementById(id);
  const letters = "ABCDEF";

  let index = Math.min(Math.max((state.current_position || 1) - 1, 0), items.length - 1);
  let enteredAt = performance.now();
  let pending = loadPending();
  let inFlight = false;
  let retryDelay = 2000;
  let retryTimer = null;
  let ended = false;
  const touched = new Set();  // positions changed on this page: the server copy may be older

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
  // Unsent changes from an earlier visit win over the server's copy: they are newer.
  for (const [pos, change] of Object.entries(pending)) {
    const item = items[Number(pos) - 1];
    if (!item || item.feedback) { delete pending[pos]; continue; }
    if (change.selected) item.selected = change.selected;
    if (change.struck) item.struck = change.struck;
    if (change.flagged !== undefined) item.flagged = change.flagged;
  }

  function queue(item, fields) {
    if (Object.keys(fields).length) touched.add(item.position);
    const change = pending[item.position] || {};
    Object.assign(change, fields);
    pending[item.position] = change;
    storePending();
    flush();
  }

  function setStatus(text, bad) {
    const el = $("save-status");
    if (el.textContent !== text) el.textContent = text;
    el.classList.toggle("bad", !!bad);
  }

  async function request(url, options) {
    const response = await fetch(url, Object.assign({
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf, "Accept": "application/json" },
    }, options));
    return response;
  }

  async function flush() {
    if (inFlight || ended) return;
    const positions = Object.keys(pending);
    if (!positions.length) { setStatus("Saved"); return; }
    inFlight = true;
    setStatus("Saving…");
    const pos = positions[0];
    const sent = JSON.stringify(pending[pos]);
    let response;
    try {
      response = await request(apiUrl + "items/" + pos + "/", { method: "PUT", body: sent });
    } catch (e) {
      response = null;
    }
    inFlight = false;
    if (response && response.ok) {
      const saved = await response.json();
      if (JSON.stringify(pending[pos]) === sent) delete pending[pos];
      else if (pending[pos]) delete pending[pos].seconds;
      storePending();
      retryDelay = 2000;
      const item = items[Number(pos) - 1];
      if (saved.feedback) { item.feedback = saved.feedback; item.selected = saved.selected; if (items[index] === item) render(); }
      flush();
      return;
    }
    if (response && response.status === 409) { sittingClosed(); return; }
    if (response && response.status === 400) {
      const body = await response.json().catch(() => ({}));
      delete pending[pos];
      storePending();
      $("limit-message").textContent = body.detail || "That change was refused.";
      setStatus("Saved");
      flush();
      return;
    }
    if (response && (response.status === 403 || response.status === 401)) {
      setStatus("Not saved — please log in again in another tab; your answers are kept here", true);
    } else {
      setStatus("Not saved — retrying", true);
    }
    clearTimeout(retryTimer);
    retryTimer = setTimeout(flush, retryDelay);
    retryDelay = Math.min(retryDelay * 2, 30000);
  }

  function sittingClosed() {
    ended = true;
    localStorage.removeItem(storeKey);
    window.location.assign(resultsUrl);
  }

  // ---- time on question ---------------------------------------------------------------------
  function bankTime() {
    const item = items[index];
    const seconds = Math.round((performance.now() - enteredAt) / 1000);
    enteredAt = performance.now();
    if (seconds > 0 && !item.feedback) {
      const change = pending[item.position] || {};
      change.seconds = (change.seconds || 0) + seconds;
      pending[item.position] = change;
      storePending();
    }
  }

  // ---- rendering ----------------------------------------------------------------------------
  function render() {
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
    flag.firstChild.textContent = item.flagged ? "Flagged " : "Flag for review ";
    $("prev").disabled = index === 0;
    $("next").disabled = index === items.length - 1;
    const check = $("check");
    if (check) {
      // Practice checks a complete answer: as many options as the question asks for.
      check.hidden = locked;
      check.disabled = item.selected.length !== q.select_count;
    }
    renderFeedback(item);
    updatePace();
  }

  function decorate(row, choiceId, feedback) {
    const info = feedback.choices.find((c) => c.id === choiceId);
    if (!info) return;
    row.classList.add(info.is_correct ? "is-correct" : "is-wrong");
    const why = document.createElement("div");
    why.className = "why prose";
    const chosen = items[index].selected.includes(choiceId) ? "Your choice. " : "";
    why.innerHTML = "<strong>" + chosen + (info.is_correct ? "Correct option. " : "Incorrect option. ") + "</strong>" + info.why_html;
    if (chosen) row.classList.add("chosen");
    row.append(why);
  }

  function renderFeedback(item) {
    const box = $("feedback");
    if (!item.feedback) { box.hidden = true; box.textContent = ""; return; }
    const f = item.feedback;
    box.hidden = false;
    box.textContent = "";
    const verdict = document.createElement("p");
    verdict.className = f.correct ? "verdict pass" : "verdict fail";
    verdict.textContent = f.correct ? "Correct." : "Not quite.";
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
    if (item.feedback) return;
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
    item.struck = item.struck.includes(choiceId)
      ? item.struck.filter((id) => id !== choiceId) : item.struck.concat([choiceId]);
    queue(item, { struck: item.struck });
    render();
  }

  function toggleFlag() {
    const item = items[index];
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
    $("stem").focus({ preventScroll: true });
    window.scrollTo(0, 0);
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

  function showReview(keepFocus) {
    bankTime();
    flush();
    $("question-view").hidden = true;
    $("review-view").hidden = false;
    const list = $("review-list");
    list.textContent = "";
    let unanswered = 0, flagged = 0;
    items.forEach((item, i) => {
      const answered = item.selected.length > 0;
      if (!answered) unanswered++;
      if (item.flagged) flagged++;
      if ((reviewFilter === "unanswered" && answered) || (reviewFilter === "flagged" && !item.flagged)) return;
      const li = document.createElement("li");
      const b = document.createElement("button");
      b.type = "button";
      b.className = "review-item" + (answered ? " answered" : " unanswered") + (item.flagged ? " flagged" : "");
      b.textContent = (i + 1) + (item.flagged ? " ⚑" : "");
      b.setAttribute("aria-label", "Question " + (i + 1) + ": " + (answered ? "answered" : "unanswered") + (item.flagged ? ", flagged" : ""));
      b.addEventListener("click", () => go(i));
      li.append(b);
      list.append(li);
    });
    $("review-summary").textContent = (items.length - unanswered) + " answered, " + unanswered + " unanswered, " + flagged + " flagged.";
    if (keepFocus !== true) $("review-title").focus();
    return { unanswered: unanswered, flagged: flagged };
  }

  async function confirmEnd() {
    const counts = showReview();
    $("confirm-text").textContent = "You have " + counts.unanswered + " unanswered and " + counts.flagged +
      " flagged question(s)." + (isMock ? " Unanswered questions count as wrong. You cannot come back after ending." : "");
    $("confirm-end").showModal();
  }

  async function finishNow() {
    // Time is up: send what is pending, then submit. The server scores what it has either way.
    if (ended) return;
    bankTime();
    for (let i = 0; i < 3 && Object.keys(pending).length; i++) { await flush(); }
    ended = true;
    try { await request(root.dataset.submit, { method: "POST", body: "{}" }); } catch (e) { /* the server sweep will finish it */ }
    localStorage.removeItem(storeKey);
    window.location.assign(resultsUrl);
  }

  // ---- the clock (mocks only) -----------------------------------------------------------------
  let deadlineAt = null;   // performance.now() value at the deadline: immune to the wall clock
  const warned = new Set();
  function syncClock(remaining) { deadlineAt = performance.now() + remaining * 1000; }
  async function resync() {
    try {
      const r = await request(apiUrl + "clock/", { method: "GET" });
      if (r.ok) {
        const body = await r.json();
        if (body.status !== "in_progress") { sittingClosed(); return; }
        syncClock(body.remaining_seconds);
      }
    } catch (e) { /* keep counting locally */ }
  }
  function fmt(s) {
    const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), sec = s % 60;
    return h + ":" + String(m).padStart(2, "0") + ":" + String(sec).padStart(2, "0");
  }
  function remaining() { return Math.max(0, Math.round((deadlineAt - performance.now()) / 1000)); }
  function tick() {
    const left = remaining();
    $("timer").textContent = fmt(left);
    for (const minutes of [30, 15, 5]) {
      if (left <= minutes * 60 && left > 0 && !warned.has(minutes)) {
        warned.add(minutes);
        const text = minutes + " minutes remaining.";
        $("time-alert").textContent = text;
        const banner = $("time-banner");
        banner.textContent = text;
        banner.hidden = false;
      }
    }
    if (left <= 0) finishNow();
    updatePace();
  }
  function updatePace() {
    const pace = $("pace");
    if (!pace || deadlineAt === null) return;
    const total = Number(root.dataset.minutesPerQuestion) * 60 * items.length;
    const used = total - remaining();
    const expected = used / (Number(root.dataset.minutesPerQuestion) * 60);
    const answered = items.filter((i) => i.selected.length).length;
    const diff = Math.round(answered - expected);
    pace.textContent = diff >= 0 ? "On pace (+" + diff + ")" : "Behind pace by " + (-diff) + " question(s)";
  }

  // ---- wiring -------------------------------------------------------------------------------
  $("prev").addEventListener("click", () => go(index - 1));
  $("next").addEventListener("click", () => go(index + 1));
  $("flag").addEventListener("click", toggleFlag);
  $("show-review").addEventListener("click", showReview);
  $("back-to-question").addEventListener("click", () => { showQuestion(); render(); });
  $("end").addEventListener("click", confirmEnd);
  $("cancel-end").addEventListener("click", () => $("confirm-end").close());
  $("end-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    bankTime();
    for (let i = 0; i < 3 && Object.keys(pending).length; i++) { await flush(); }
    ended = true;
    localStorage.removeItem(storeKey);
    event.target.submit();
  });
  $("question-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const item = items[index];
    if (isMock || item.feedback || item.selected.length !== item.question.select_count) return;
    bankTime();
    queue(item, { selected: item.selected });
  });
  document.addEventListener("keydown", (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    const tag = (event.target.tagName || "").toLowerCase();
    if (tag === "textarea" || (tag === "input" && !["radio", "checkbox"].includes(event.target.type))) return;
    if ($("confirm-end").open || $("question-view").hidden) return;
    const key = event.key.toUpperCase();
    const item = items[index];
    let pick = -1;
    if (/^[1-6]$/.test(key)) pick = Number(key) - 1;
    else if (/^[A-E]$/.test(key) || (key === "F" && event.shiftKey)) pick = letters.indexOf(key);
    if (key === "N") { go(index + 1); event.preventDefault(); return; }
    if (key === "P") { go(index - 1); event.preventDefault(); return; }
    if (key === "F" && !event.shiftKey) { toggleFlag(); event.preventDefault(); return; }
    if (pick >= 0 && pick < item.question.choices.length) {
      const id = item.question.choices[pick].id;
      const input = document.getElementById("choice-" + id);
      if (input && !input.disabled) {
        if (item.question.kind === "single") input.checked = true;
        else input.checked = !input.checked;
        choose(id, input);
      }
      event.preventDefault();
    }
  });
  window.addEventListener("online", flush);
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "hidden") { bankTime(); storePending(); }
    else if (isMock) resync();
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
        if (serverItem.feedback) item.feedback = serverItem.feedback;
      });
      if (!$("question-view").hidden) render();
    } catch (e) { /* offline: the embedded state and localStorage stand */ }
  }

  render();
  flush();
  refreshFromServer();
})();
