// The data-entry pages: when a page comes back with problems, move the focus to their
// summary, so that a keyboard or screen-reader user hears what to settle first.
const summary = document.querySelector("[data-focus-on-load]");
if (summary instanceof HTMLElement) {
  summary.focus();
}
