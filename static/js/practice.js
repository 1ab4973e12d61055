// The practice page: say how many questions each source and the current choice (sources x
// domains/tasks) hold before the learner starts, asking the API as boxes are ticked (the server
// renders the figures for the initial state).
(function () {
  "use strict";
  const form = document.getElementById("practice-form");
  if (!form) return;
  const out = document.getElementById("available");
  const domainNumbers = {};
  const taskNumbers = {};
  // Checkbox values are database ids; the labels start with the numbers the API takes.
  form.querySelectorAll("input[name=domains]").forEach((box) => {
    domainNumbers[box.value] = (box.parentElement.textContent.match(/\d+/) || [""])[0];
  });
  form.querySelectorAll("input[name=tasks]").forEach((box) => {
    taskNumbers[box.value] = (box.parentElement.textContent.match(/\d\.\d/) || [""])[0];
  });
  let seq = 0;
  async function update() {
    const params = new URLSearchParams();
    form.querySelectorAll("input[name=sources]:checked").forEach((b) => params.append("from", b.value));
    form.querySelectorAll("input[name=domains]:checked").forEach((b) => params.append("domains", domainNumbers[b.value]));
    form.querySelectorAll("input[name=tasks]:checked").forEach((b) => params.append("tasks", taskNumbers[b.value]));
    const mine = ++seq;
    try {
      const r = await fetch(form.dataset.available + "?" + params, { credentials: "same-origin", headers: { "Accept": "application/json" } });
      if (!r.ok || mine !== seq) return;
      const body = await r.json();
      out.textContent = body.selected + " question" + (body.selected === 1 ? "" : "s") + " match your choice.";
      Object.entries(body.sources).forEach(([source, count]) => {
        const figure = form.querySelector('[data-source-count="' + source + '"]');
        if (figure) figure.textContent = count;
      });
    } catch (e) { /* the server still checks on start */ }
  }
  form.addEventListener("change", update);
  update(); // the browser may have restored ticks the server did not render
})();
