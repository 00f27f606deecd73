/* The text area: word counter, pastes counted, the timer from the first play, autosave to
   the browser (at each change) and to the server (every few seconds), one submission.
   With a template: the cursor starts where the dictated text goes (dictation), and a button
   puts the text inside the template (correction of a draft). In a trainer's preview
   (data-preview), nothing is saved, stored or submitted. */
(function () {
  "use strict";

  var SAVE_EVERY_MS = 3000;
  var POLL_TIMINGS_MS = 2000;

  var root = document.getElementById("workspace");
  var area = document.getElementById("texte");
  if (!root || !area) { return; }
  var data = root.dataset;
  var token = data.token;
  var preview = !!data.preview;
  var storageKey = "transcribe.copie." + data.exercise + "." + data.mode;
  var clockSkew = Date.now() - parseInt(data.now, 10);  // browser clock minus server clock
  var started = data.started ? parseInt(data.started, 10) + clockSkew : null;
  var limitMs = data.limit ? parseFloat(data.limit) * 60000 : null;

  var pastes = parseInt(document.getElementById("f-collages").value, 10) || 0;
  var pastedChars = parseInt(document.getElementById("f-caracteres").value, 10) || 0;
  var dirty = false;
  var saving = false;
  var closed = false;  // submitted, or submitted elsewhere
  var submitting = false;  // the form is on its way: the copy is the form's now, no autosave

  var message = document.getElementById("editor-message");
  var saveStatus = document.getElementById("save-status");

  function say(text, bad) {
    message.textContent = text;
    message.classList.toggle("bad", !!bad);
  }

  /* --- word counter and pastes -------------------------------------------------------------- */
  var WORD = /[0-9A-Za-zÀ-ÖØ-öø-ÿŒœ]+(?:['’\-][0-9A-Za-zÀ-ÖØ-öø-ÿŒœ]+)*/g;
  function countWords() {
    var m = area.value.match(WORD);
    document.getElementById("words").textContent = m ? m.length : 0;
  }
  function showPastes() {
    document.getElementById("pastes").textContent = pastes;
    document.getElementById("pasted-chars").textContent = pastedChars;
    document.getElementById("f-collages").value = pastes;
    document.getElementById("f-caracteres").value = pastedChars;
  }
  function pasted(text) {
    pastes += 1;
    pastedChars += (text || "").length;
    showPastes();
    say("Collage enregistré (" + (text || "").length + " caractères) : il sera signalé avec votre copie.");
  }
  area.addEventListener("paste", function (event) {
    var text = event.clipboardData ? event.clipboardData.getData("text") : "";
    pasted(text);
  });
  area.addEventListener("drop", function (event) {
    var text = event.dataTransfer ? event.dataTransfer.getData("text") : "";
    if (text) { pasted(text); }
  });

  /* --- browser storage ---------------------------------------------------------------------- */
  function storeLocally() {
    if (preview) { return; }
    try {
      window.localStorage.setItem(storageKey, JSON.stringify({
        jeton: token, texte: area.value, quand: Date.now(), collages: pastes, caracteres: pastedChars}));
    } catch (e) { /* storage full or disabled: the server copy remains */ }
  }
  function restoreLocally() {
    if (preview) { return; }
    var saved = null;
    try { saved = JSON.parse(window.localStorage.getItem(storageKey) || "null"); } catch (e) { saved = null; }
    if (!saved || saved.jeton !== token) { return; }  // another (already submitted) copy
    var serverSaved = data.saved ? parseInt(data.saved, 10) + clockSkew : 0;
    pastes = Math.max(pastes, saved.collages || 0);
    pastedChars = Math.max(pastedChars, saved.caracteres || 0);
    if (typeof saved.texte === "string" && saved.texte !== area.value && saved.quand > serverSaved) {
      area.value = saved.texte;
      dirty = true;
      say("Texte restauré depuis ce navigateur (plus récent que la copie du serveur).");
    }
  }

  /* --- server autosave ---------------------------------------------------------------------- */
  var csrf = document.querySelector('meta[name="csrf-token"]');  // classroom mode only
  function post(url, body, keepalive) {
    var headers = {"Content-Type": "application/json", "Accept": "application/json"};
    if (csrf) { headers["X-CSRF-Token"] = csrf.getAttribute("content"); }
    return fetch(url, {method: "POST", headers: headers,
                       body: JSON.stringify(body), credentials: "same-origin", keepalive: !!keepalive});
  }
  function stale(response) {
    return response.json().then(function (body) {
      closed = true;
      area.readOnly = true;
      document.getElementById("submit").disabled = true;
      say(body.erreur || "Cette copie a déjà été rendue.", true);
    });
  }
  function saveNow(keepalive) {
    if (!dirty || saving || closed || submitting || preview) { return; }
    saving = true;
    dirty = false;
    var sent = area.value;
    post(data.saveUrl, {jeton: token, texte: sent, collages: pastes, caracteres_colles: pastedChars}, keepalive)
      .then(function (response) {
        if (response.status === 409) { return stale(response); }
        if (!response.ok) { throw new Error(String(response.status)); }
        return response.json().then(function () {
          saveStatus.textContent = "Enregistré sur le serveur à " + new Date().toLocaleTimeString("fr-FR");
        });
      })
      .catch(function () {
        dirty = true;
        saveStatus.textContent = "Serveur injoignable : texte gardé dans ce navigateur";
      })
      .then(function () { saving = false; });
  }
  area.addEventListener("input", function () {
    if (closed) { return; }
    dirty = true;
    countWords();
    storeLocally();
    saveStatus.textContent = preview ? "Aperçu : rien n'est enregistré" : "Modifications en cours d'enregistrement…";
  });
  window.setInterval(function () { saveNow(false); }, SAVE_EVERY_MS);
  window.addEventListener("pagehide", function () { storeLocally(); saveNow(true); });
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") { storeLocally(); saveNow(true); }
  });

  /* --- timer ---------------------------------------------------------------------------------- */
  var timer = document.getElementById("timer");
  function showTimer() {
    if (started === null) { return; }
    var ms = Math.max(0, Date.now() - started);
    var s = Math.floor(ms / 1000);
    var h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60);
    timer.textContent = (h ? h + ":" + ("0" + m).slice(-2) : m) + ":" + ("0" + (s % 60)).slice(-2);
    timer.classList.toggle("over", limitMs !== null && ms > limitMs);
  }
  window.setInterval(showTimer, 500);
  function startClock() {
    if (started !== null || closed) { return; }
    started = Date.now();
    showTimer();
    if (preview) { return; }
    post(data.startUrl, {jeton: token}).then(function (response) {
      if (response.status === 409) { return stale(response); }
      return response.json().then(function (body) {
        if (body.debut) { started = body.debut + clockSkew; }
      });
    }).catch(function () { /* measured by the server at the next start */ });
  }
  if (window.TranscribePlayer) { window.TranscribePlayer.onFirstPlay(startClock); }
  if (data.mode === "correction") {  // a draft can be corrected before listening
    area.addEventListener("input", startClock);
  }

  /* --- submission ----------------------------------------------------------------------------- */
  var form = document.getElementById("copy-form");
  form.addEventListener("submit", function (event) {
    var button = document.getElementById("submit");
    if (button.disabled || closed || preview) { event.preventDefault(); return; }
    showPastes();
    storeLocally();
    submitting = true;  // an autosave now would race the submission (the server refuses it: 409)
    button.disabled = true;  // a double click sends one form
    button.textContent = "Correction en cours…";
  });
  window.addEventListener("pageshow", function (event) {
    if (event.persisted) {  // back from the report or a failed submission: editable again
      submitting = false;
      document.getElementById("submit").disabled = closed;
    }
  });

  /* --- timings for the replay buttons, computed on first opening ------------------------------ */
  function pollTimings() {
    fetch(data.timingsUrl, {headers: {"Accept": "application/json"}})
      .then(function (response) { return response.json(); })
      .then(function (body) {
        var box = document.getElementById("timings-box");
        var bar = document.getElementById("timings-progress");
        document.getElementById("timings-status").textContent = body.message +
          (body.etat === "calcul" && body.secondes ? " (" + body.secondes + " s)" : "");
        bar.hidden = body.etat !== "calcul";
        if (body.etat === "calcul") { window.setTimeout(pollTimings, POLL_TIMINGS_MS); }
        if (body.etat === "pret") { box.hidden = true; }
      })
      .catch(function () { window.setTimeout(pollTimings, POLL_TIMINGS_MS * 3); });
  }
  if (data.timingsState === "calcul" && !preview) { window.setTimeout(pollTimings, POLL_TIMINGS_MS); }

  /* --- the template: where the dictated text goes ------------------------------------------- */
  var startArea = document.getElementById("start-text");
  function templateParts() {  // [the lines before the dictated text, the rest], as in start-text
    var start = startArea.value;
    var line = parseInt(area.dataset.caretLine, 10) || 0;
    var offset = 0;
    var lines = start.split("\n");
    for (var k = 0; k < line && k < lines.length; k += 1) { offset += lines[k].length + 1; }
    return [start.slice(0, offset), start.slice(offset)];
  }
  function placeCaret() {  // a copy untouched since the template: the cursor on the body's line
    if (!startArea || area.value !== startArea.value) { return; }
    var at = templateParts()[0].length;
    area.setSelectionRange(at, at);
  }
  var insertButton = document.getElementById("insert-template");
  if (insertButton && startArea) {
    insertButton.addEventListener("click", function () {
      if (closed) { return; }
      var parts = templateParts();
      var head = parts[0].replace(/\s+$/, "");
      if (head && area.value.lastIndexOf(head, 0) === 0) {
        say("Le texte est déjà dans le modèle (l'en-tête est en place).");
        return;
      }
      var body = area.value.replace(/^\s+|\s+$/g, "");
      area.value = parts[0] + body + parts[1];
      area.setSelectionRange(parts[0].length, parts[0].length + body.length);
      area.focus();
      area.dispatchEvent(new Event("input"));
      say("Texte placé dans le modèle : vérifiez l'en-tête et la signature.");
    });
  }

  /* the « sujet » links of the help texts move the focus to the subject (under the player) */
  var subject = document.getElementById("sujet");
  Array.prototype.forEach.call(document.querySelectorAll('a[href="#sujet"]'), function (link) {
    link.addEventListener("click", function (event) {
      if (!subject) { return; }
      event.preventDefault();
      subject.focus();
      subject.scrollIntoView({block: "start"});
    });
  });

  restoreLocally();
  placeCaret();
  showPastes();
  countWords();
  showTimer();
})();
