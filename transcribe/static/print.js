/* The printable subject page: its « Imprimer » button opens the browser's print dialog. */
(function () {
  "use strict";
  var button = document.querySelector("[data-print]");
  if (button) { button.addEventListener("click", function () { window.print(); }); }
})();
