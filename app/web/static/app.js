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

// An address picked from the team's address list (input with list= and data-position="LAT LON")
// fills in its position; without script the server takes it when latitude and longitude are empty.
function fillPosition(event) {
  var input = event.target;
  var targets = input.getAttribute && input.getAttribute("data-position");
  if (!targets || !input.list) return;
  var wanted = input.value.trim().toLowerCase();
  var match = Array.prototype.find.call(input.list.options, function (o) {
    return o.value.trim().toLowerCase() === wanted;
  });
  if (!match) return;
  var ids = targets.split(" ");
  document.getElementById(ids[0]).value = match.getAttribute("data-lat");
  document.getElementById(ids[1]).value = match.getAttribute("data-lon");
}
document.addEventListener("input", fillPosition);
document.addEventListener("change", fillPosition);
