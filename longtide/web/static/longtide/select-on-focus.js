// Selects the whole value of a field marked data-select-on-focus (a feed's address to copy), without
// an inline event handler, which the Content-Security-Policy forbids.
document.addEventListener("focusin", (event) => {
  if (event.target instanceof HTMLInputElement && event.target.hasAttribute("data-select-on-focus")) {
    event.target.select();
  }
});
