// Accessibility fixes for the theme's widgets (axe-core in tests/test_book.py; book/results.md, Accessibility).
// A control whose aria-label does not contain its visible text ("Toggle hidden content" on "Show the model
// answer", "Search" on "Search Ctrl+K") is announced under a name a speech-input user cannot say: its
// visible text names it. Icons inside a labelled control are decoration: hidden from screen readers.
function nnbookNameByVisibleText() {
  document.querySelectorAll("button[aria-label], summary[aria-label], a[aria-label]").forEach((el) => {
    el.querySelectorAll("i, svg").forEach((icon) => {
      icon.setAttribute("aria-hidden", "true");
      icon.removeAttribute("title");
      icon.querySelectorAll("title").forEach((title) => title.remove());
    });
    const visible = el.innerText.replace(/\s+/g, " ").trim().toLowerCase();
    if (visible && !el.getAttribute("aria-label").toLowerCase().includes(visible)) {
      el.removeAttribute("aria-label");
    }
  });
}
// The logo in the sidebar, a link home, sits outside every landmark: a navigation landmark of its own.
function nnbookLandmarks() {
  document.querySelectorAll("a.navbar-brand").forEach((brand) => {
    const item = brand.parentElement;
    if (item && !item.closest("nav, header, aside, footer, main, [role]")) {
      item.setAttribute("role", "navigation");
      item.setAttribute("aria-label", "Home");
    }
  });
}
window.addEventListener("load", () => {
  nnbookNameByVisibleText();
  nnbookLandmarks();
});
