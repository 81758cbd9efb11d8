// The session note's form saves itself with htmx while the practitioner types.
//
// - A refused autosave (422: a value out of range; 409: saved meanwhile from another tab, or signed;
//   403) answers a fragment saying so: htmx leaves 4xx answers out by default, which left the last
//   "Draft saved at …" showing over text that was not saved. Those answers are shown.
// - Signed out meanwhile (another tab, or the idle time-out), the autosave is redirected to the
//   sign-in page: instead of that page inside the form, the status says the text is not saved.
// - Once the page itself is submitted ("Save draft", "Sign and lock"), an autosave still on its way
//   or still to come would race that submission and show its answer in a page that is going away:
//   it is dropped. The back button can bring the page back from the browser's cache: autosaving
//   resumes there.
const isNoteForm = (element) => element instanceof HTMLFormElement && element.id === "note-form";

function showProblem(status, text) {
  if (!status || !text) return;
  const problem = document.createElement("span");
  problem.className = "error";
  problem.textContent = text;
  status.replaceChildren(problem);
}

document.addEventListener("submit", (event) => {
  const form = event.target;
  if (isNoteForm(form) && !event.defaultPrevented) {
    form.dataset.submitting = "true";
    if (window.htmx) window.htmx.trigger(form, "htmx:abort");
  }
});
document.addEventListener("htmx:beforeRequest", (event) => {
  const form = event.detail.elt;
  if (isNoteForm(form) && form.dataset.submitting) {
    event.preventDefault();
  }
});
document.addEventListener("htmx:beforeSwap", (event) => {
  // detail.elt is the swap's target here (the status); the form that asked is requestConfig.elt.
  const config = event.detail.requestConfig;
  if (!config || !isNoteForm(config.elt)) return;
  const xhr = event.detail.xhr;
  const status = document.getElementById("save-status");
  const loginPath = status ? status.dataset.loginPath : "";
  if (loginPath && new URL(xhr.responseURL || location.href, location.href).pathname === loginPath) {
    event.detail.shouldSwap = false;
    showProblem(status, status.dataset.signedOut);
    return;
  }
  if (xhr.status === 403 || xhr.status === 409 || xhr.status === 422) {
    event.detail.shouldSwap = true;
    event.detail.isError = false;
  }
  if (event.detail.shouldSwap && /<html/i.test(xhr.responseText)) {
    // A whole page (a refusal from outside the note's views, as a failed CSRF check): not shown
    // inside the form; the status says the text is not saved.
    event.detail.shouldSwap = false;
    showProblem(status, status.dataset.notSaved);
  } else if (!event.detail.shouldSwap && xhr.status >= 400) {
    showProblem(status, status.dataset.notSaved);
  }
});
window.addEventListener("pageshow", () => {
  const form = document.getElementById("note-form");
  if (form) delete form.dataset.submitting;
});
