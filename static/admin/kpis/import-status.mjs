// The page that waits for an import's background work: asks the portal where the work is
// every two seconds, says so in the status line, and reloads the page when the work is done
// (the page then shows the preview or the result). Without JavaScript, reloading does it.
const box = document.querySelector("[data-import-status]");
const POLL_MS = 2000;

async function follow(element) {
  const url = element.dataset.importStatus;
  const line = element.querySelector("[data-import-progress]");
  const heading = element.querySelector("h2");
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    let state;
    try {
      const response = await fetch(url, { headers: { Accept: "application/json" } });
      if (!response.ok) continue;
      state = await response.json();
    } catch {
      continue; // the portal is busy or the network blinked: ask again
    }
    if (!state.working) {
      window.location.reload();
      return;
    }
    if (heading && state.words) {
      heading.textContent = state.words;
    }
    if (line && state.progress) {
      const since = new Date(state.since).toLocaleTimeString("en-GB");
      line.textContent = `${state.progress} (since ${since}).`;
    }
  }
}

if (box instanceof HTMLElement) {
  follow(box);
}
