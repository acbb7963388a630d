// Small progressive enhancements; every page works without them.
// A form with data-busy="ID" shows the element ID and disables its buttons while the server works
// (a re-plan takes a few seconds: the coordinator should see that it is running, and not click twice).
document.addEventListener("submit", function (event) {
  var form = event.target;
  var busy = form.getAttribute && form.getAttribute("data-busy");
  if (!busy) return;
  var note = document.getElementById(busy);
  if (note) note.hidden = false;
  setTimeout(function () {
    form.querySelectorAll("button").forEach(function (b) { b.disabled = true; });
  }, 0);
});

// A button with data-print prints the page (the pages' policy allows no inline handlers).
document.addEventListener("click", function (event) {
  var target = event.target;
  if (target && target.closest && target.closest("[data-print]")) window.print();
});
