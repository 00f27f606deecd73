/* The learner report's ▶ buttons: replay the dictation from just before each error. When
   the exercise's word timings are still being computed, ask again until they are ready. */
(function () {
  "use strict";

  var POLL_MS = 2000;
  var box = document.getElementById("replay");
  var audio = document.getElementById("replay-audio");
  var status = document.getElementById("replay-status");
  if (!box || !audio) { return; }
  audio.preservesPitch = true;

  function clock(seconds) {
    var s = Math.floor(seconds);
    return Math.floor(s / 60) + ":" + ("0" + (s % 60)).slice(-2);
  }

  document.querySelectorAll("button.replay").forEach(function (button) {
    button.addEventListener("click", function () {
      var t = parseFloat(button.getAttribute("data-t"));
      if (!isFinite(t)) { return; }
      audio.currentTime = t;
      var p = audio.play();
      if (p && p.catch) { p.catch(function () {}); }
      status.textContent = "Lecture depuis " + clock(t) + " (erreur " + button.getAttribute("data-n") + ").";
    });
  });

  function poll() {
    fetch(box.getAttribute("data-replay-url"), {headers: {"Accept": "application/json"}})
      .then(function (response) { return response.json(); })
      .then(function (body) {
        status.textContent = body.message + (body.etat === "calcul" && body.secondes ? " (" + body.secondes + " s)" : "");
        if (body.etat === "calcul") { window.setTimeout(poll, POLL_MS); return; }
        if (body.etat !== "pret") { return; }
        document.querySelectorAll("button.replay").forEach(function (button) {
          var t = body.temps[button.getAttribute("data-n")];
          if (t !== undefined) {
            button.setAttribute("data-t", t);
            button.disabled = false;
          }
        });
      })
      .catch(function () { window.setTimeout(poll, POLL_MS * 3); });
  }
  if (box.getAttribute("data-state") === "calcul") { window.setTimeout(poll, POLL_MS); }
})();
