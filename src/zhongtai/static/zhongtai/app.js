// Small behaviours without inline scripts (the CSP forbids them).
document.addEventListener("change", function (event) {
  var el = event.target;
  if (el.classList && el.classList.contains("zt-autosubmit") && el.form) {
    el.form.requestSubmit ? el.form.requestSubmit() : el.form.submit();
  }
});
// Select-all checkbox for bulk actions: <input type="checkbox" data-select-all="name">.
document.addEventListener("click", function (event) {
  var el = event.target;
  if (el.dataset && el.dataset.selectAll) {
    document.querySelectorAll('input[name="' + el.dataset.selectAll + '"]').forEach(function (box) {
      box.checked = el.checked;
    });
  }
});
// htmx swaps 2xx only by default; our views answer refused actions with a 4xx fragment
// (the error message, retargeted to #messages), so swap those too.
if (window.htmx) {
  window.htmx.config.responseHandling = [
    { code: "204", swap: false },
    { code: "[23]..", swap: true },
    { code: "^(400|403|409|413|422)$", swap: true, error: false },
    { code: "[45]..", swap: false, error: true }
  ];
}
// Collision notice: while someone types in a reply box marked with
// data-presence-input="#hidden-field", the presence poll reports "replying".
function ztPresence(event) {
  var el = event.target;
  if (!el.dataset || !el.dataset.presenceInput) { return; }
  var state = document.querySelector(el.dataset.presenceInput);
  if (!state) { return; }
  if (event.type === "focusout") {
    state.value = el.value.trim() ? "replying" : "viewing";
  } else {
    state.value = "replying";
  }
}
document.addEventListener("focusin", ztPresence);
document.addEventListener("input", ztPresence);
document.addEventListener("focusout", ztPresence);
// Insert a text into a reply box in one click: <button data-insert-into="#reply-body"
// data-insert-text="…">. The text goes where the cursor is (or at the end), on a new
// paragraph; the box keeps the focus. Other handlers (htmx, to record the use) still run.
document.addEventListener("click", function (event) {
  var el = event.target.closest ? event.target.closest("[data-insert-into]") : null;
  if (!el) { return; }
  var box = document.querySelector(el.dataset.insertInto);
  if (!box) { return; }
  event.preventDefault();
  var text = el.dataset.insertText || "";
  var start = box.selectionStart != null ? box.selectionStart : box.value.length;
  var end = box.selectionEnd != null ? box.selectionEnd : box.value.length;
  var before = box.value.slice(0, start);
  var after = box.value.slice(end);
  var gap = before && !/\n\n$/.test(before) ? (/\n$/.test(before) ? "\n" : "\n\n") : "";
  box.value = before + gap + text + after;
  var cursor = (before + gap + text).length;
  box.focus();
  box.setSelectionRange(cursor, cursor);
  box.dispatchEvent(new Event("input", { bubbles: true }));
  // data-insert-set="#field" data-insert-value="…": also fill a (hidden) field of the form,
  // e.g. the macro whose field actions the reply applies; a menu marked
  // <details data-insert-menu> closes after the pick.
  if (el.dataset.insertSet) {
    var field = document.querySelector(el.dataset.insertSet);
    if (field) { field.value = el.dataset.insertValue || ""; }
  }
  var menu = el.closest("details[data-insert-menu]");
  if (menu) { menu.open = false; }
});
