// Comfort only: the pages work without JavaScript (each form has its submit button).

// Lets the stylesheet hide buttons that this script makes unnecessary.
document.documentElement.classList.add("js");

// Ticking a facet checkbox or changing the sort order submits the search form at once.
document.addEventListener("change", (event) => {
  const field = event.target;
  if (field.classList && field.classList.contains("auto-submit") && field.form) {
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
