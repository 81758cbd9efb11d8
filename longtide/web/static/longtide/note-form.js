// The session note's form saves itself with htmx while the practitioner types. Once the page itself is
// submitted ("Save draft", "Sign and lock"), an autosave still on its way or still to come would race
// that submission and show its answer in a page that is going away: drop it. The back button can bring
// the page back from the browser's cache: autosaving resumes there.
document.addEventListener("submit", (event) => {
  const form = event.target;
  if (form instanceof HTMLFormElement && form.id === "note-form" && !event.defaultPrevented) {
    form.dataset.submitting = "true";
    if (window.htmx) window.htmx.trigger(form, "htmx:abort");
  }
});
document.addEventListener("htmx:beforeRequest", (event) => {
  const form = event.detail.elt;
  if (form instanceof HTMLFormElement && form.id === "note-form" && form.dataset.submitting) {
    event.preventDefault();
  }
});
window.addEventListener("pageshow", () => {
  const form = document.getElementById("note-form");
  if (form) delete form.dataset.submitting;
});
