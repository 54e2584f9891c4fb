// The participant picker on /events/new: filter a long list by name, select all that are shown, clear,
// and keep the count of chosen firms up to date. Without JavaScript the plain checkboxes still work.
"use strict";

document.querySelectorAll("fieldset.pick").forEach((box) => {
  const search = box.querySelector(".pick-search");
  const items = () => [...box.querySelectorAll(".pick-list label")];  // read each time: lists may grow
  const picked = box.querySelector(".picked");
  const count = () => {
    picked.textContent = String(items().filter((l) => l.querySelector("input").checked).length);
  };
  const shown = () => items().filter((l) => !l.hidden);
  if (search) {
    search.addEventListener("input", () => {
      const q = search.value.trim().toLowerCase();
      items().forEach((l) => { l.hidden = q !== "" && !l.textContent.toLowerCase().includes(q); });
    });
    search.addEventListener("keydown", (e) => { if (e.key === "Enter") e.preventDefault(); });
  }
  box.querySelector(".pick-all")?.addEventListener("click", () => {
    shown().forEach((l) => { l.querySelector("input").checked = true; });
    count();
  });
  box.querySelector(".pick-none")?.addEventListener("click", () => {
    items().forEach((l) => { l.querySelector("input").checked = false; });
    count();
  });
  box.addEventListener("change", count);
  count();
});
