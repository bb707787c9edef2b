// Comfort only: the pages work without JavaScript (each form has its submit button).
// Ticking a facet checkbox or changing the sort order submits the search form at once.
document.addEventListener("change", (event) => {
  const field = event.target;
  if (field.classList && field.classList.contains("auto-submit") && field.form) {
    field.form.requestSubmit();
  }
});
