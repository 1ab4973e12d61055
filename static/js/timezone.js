// Tell the server the browser's time zone once (while the profile has none), so every time on
// the site is shown in local time. Reloads the page if it shows times.
(function () {
  "use strict";
  const marker = document.getElementById("tz-detect");
  if (!marker || !window.Intl) return;
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  if (!zone) return;
  const token = document.querySelector("input[name=csrfmiddlewaretoken]");
  fetch(marker.dataset.url, {
    method: "POST",
    credentials: "same-origin",
    headers: { "Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": token ? token.value : "" },
    body: JSON.stringify({ time_zone: zone }),
  }).then((r) => r.text().then(() => {
    // Read the body: a no-store response left unread stays "in flight" in the browser.
    if (r.ok && document.querySelector("time[datetime]")) window.location.reload();
  })).catch(() => { /* try again on the next page */ });
})();
