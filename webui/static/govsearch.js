// Comfort only: the pages work without JavaScript (each form has its submit button).

const FOCUS_KEY = "govsearch-focus";

// Ticking a facet checkbox submits the search form at once. The sort <select> keeps its
// button: submitting on its change event would leave the page on every arrow key press.
document.addEventListener("change", (event) => {
  const field = event.target;
  if (field.classList && field.classList.contains("auto-submit") && field.form) {
    // the new page puts the keyboard focus back on this checkbox (see below)
    sessionStorage.setItem(FOCUS_KEY, JSON.stringify([field.name, field.value]));
    field.form.requestSubmit();
  }
});

// Shorter, shareable URLs: leave out empty fields (an unset date) and the default sort order.
document.addEventListener("submit", (event) => {
  const form = event.target;
  if (form.method !== "get") {
    return;
  }
  event.preventDefault();
  const params = new URLSearchParams();
  for (const [name, value] of new FormData(form)) {
    if (value !== "" && !(name === "sort" && value === "relevance")) {
      params.append(name, value);
    }
  }
  const query = params.toString();
  window.location.assign(form.action + (query ? "?" + query : ""));
});

// A keyboard user who ticked a facet continues from that checkbox, not from the top.
const remembered = sessionStorage.getItem(FOCUS_KEY);
if (remembered) {
  sessionStorage.removeItem(FOCUS_KEY);
  const [name, value] = JSON.parse(remembered);
  for (const box of document.querySelectorAll("input.auto-submit")) {
    if (box.name === name && box.value === value) {
      box.focus({ preventScroll: false });
      break;
    }
  }
}
