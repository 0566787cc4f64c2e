// The "Print or save as PDF" buttons of the comparison and the printable report.
// A file of its own: the Content-Security-Policy allows no inline script.
document.querySelectorAll("[data-print]").forEach((button) => {
  button.addEventListener("click", () => window.print());
});
