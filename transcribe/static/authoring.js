/* The creation page. While the recording waits or is transcribed: its progress and place in
   the queue, asked again every few seconds, the page reloaded once it is done. Then the form:
   every change autosaved to the server (a few seconds after typing, and when the page is
   left) and kept in this browser meanwhile; the problems the server finds shown as they go;
   ▶ on the words to check (the player's), « Remplacer » for a proposed spelling; the template
   shown as the letterhead and signature are typed; the previews and the publication wait for
   the last autosave. */
(function () {
  "use strict";

  var POLL_MS = 1500;
  var SAVE_EVERY_MS = 2500;
  var csrf = document.querySelector('meta[name="csrf-token"]');

  function post(url, body, keepalive) {
    var headers = {"Content-Type": "application/json", "Accept": "application/json"};
    if (csrf) { headers["X-CSRF-Token"] = csrf.getAttribute("content"); }
    return fetch(url, {method: "POST", headers: headers, body: JSON.stringify(body), credentials: "same-origin",
                       keepalive: !!keepalive});
  }

  /* --- the transcription ------------------------------------------------------------------------ */
  var job = document.getElementById("transcription");
  if (job && (job.dataset.state === "en_attente" || job.dataset.state === "en_cours")) {
    var poll = function () {
      fetch(job.dataset.stateUrl, {headers: {"Accept": "application/json"}, credentials: "same-origin"})
        .then(function (response) { return response.json(); })
        .then(function (body) {
          if (body.etat === "terminee" || body.etat === "echec") { window.location.reload(); return; }
          document.getElementById("job-message").textContent = body.message;
          var percent = Math.round((body.avancement || 0) * 100);
          document.getElementById("job-progress").value = body.avancement || 0;
          document.getElementById("job-percent").textContent = percent + " %";
          document.getElementById("job-position").textContent = body.etat === "en_cours" ? "Transcription en cours." :
            (body.avant ? "Dans la file d'attente : " + body.avant + " transcription(s) avant celle-ci." :
             "Prochaine transcription de la file.");
          window.setTimeout(poll, POLL_MS);
        })
        .catch(function () { window.setTimeout(poll, POLL_MS * 3); });
    };
    window.setTimeout(poll, POLL_MS);
  }

  /* --- the form -------------------------------------------------------------------------------- */
  var root = document.getElementById("authoring");
  var form = document.getElementById("creation-form");
  if (!root || !form) { return; }
  var storageKey = "transcribe.creation." + root.dataset.exercise;
  var revision = parseInt(root.dataset.revision, 10) || 0;
  var savedAt = root.dataset.saved ? parseInt(root.dataset.saved, 10) : 0;
  var saveStatus = document.getElementById("save-status");
  var problems = document.getElementById("problems");
  var changes = document.getElementById("changes");
  var dirty = false, saving = null, conflict = false, leaving = false;

  function fields() {
    var out = {};
    Array.prototype.forEach.call(form.elements, function (el) {
      if (el.name && el.name !== "csrf" && el.name !== "revision") { out[el.name] = el.value; }
    });
    return out;
  }
  function setFields(values) {
    Object.keys(values).forEach(function (name) {
      var el = form.elements.namedItem(name);
      if (el && typeof values[name] === "string") { el.value = values[name]; }
    });
  }
  function store() {
    try {
      window.localStorage.setItem(storageKey, JSON.stringify({revision: revision, champs: fields(), quand: Date.now()}));
    } catch (e) { /* storage full or disabled: the server keeps the draft */ }
  }
  function restore() {
    var saved = null;
    try { saved = JSON.parse(window.localStorage.getItem(storageKey) || "null"); } catch (e) { saved = null; }
    if (!saved || saved.revision !== revision || !saved.champs || saved.quand <= savedAt) { return; }
    if (JSON.stringify(saved.champs) === JSON.stringify(fields())) { return; }
    setFields(saved.champs);
    dirty = true;
    saveStatus.textContent = "Texte restauré depuis ce navigateur (plus récent que le brouillon du serveur).";
  }
  function showProblems(list) {
    problems.innerHTML = "";
    problems.className = list.length ? "notice bad" : "";
    if (!list.length) { return; }
    var p = document.createElement("p");
    p.textContent = "À corriger avant de publier :";
    var ul = document.createElement("ul");
    list.forEach(function (text) {
      var li = document.createElement("li");
      li.textContent = text;
      ul.appendChild(li);
    });
    problems.appendChild(p);
    problems.appendChild(ul);
  }
  function save(keepalive) {  // a promise, resolved once the server has the draft (or refused it)
    if (saving) { return saving; }
    if (!dirty || conflict) { return Promise.resolve(); }
    dirty = false;
    saveStatus.textContent = "Enregistrement…";
    saving = post(root.dataset.saveUrl, {revision: revision, champs: fields()}, keepalive)
      .then(function (response) {
        return response.json().then(function (body) {
          if (response.status === 409) {
            conflict = true;
            saveStatus.textContent = body.erreur;
            saveStatus.classList.add("bad");
            return;
          }
          if (!response.ok) { throw new Error(body.erreur || String(response.status)); }
          revision = body.revision;
          savedAt = body.enregistre;
          document.getElementById("revision").value = revision;
          store();
          saveStatus.textContent = "Enregistré sur le serveur à " + new Date().toLocaleTimeString("fr-FR") + ".";
          showProblems(body.problemes || []);
          if (changes && root.dataset.version !== "0") {
            changes.textContent = body.modifications ? "Modifications non publiées : les apprenants ont la version " +
              root.dataset.version + "." : "Le formulaire est la version " + root.dataset.version + " proposée aux apprenants.";
          }
        });
      })
      .catch(function (error) {
        dirty = true;
        saveStatus.textContent = "Serveur injoignable : les modifications sont gardées dans ce navigateur (" +
          error.message + ").";
      })
      .then(function () { saving = null; });
    return saving;
  }

  form.addEventListener("input", function () {
    if (conflict) { return; }
    dirty = true;
    store();
    saveStatus.textContent = "Modifications en cours d'enregistrement…";
  });
  window.setInterval(function () { save(false); }, SAVE_EVERY_MS);
  window.addEventListener("pagehide", function () { store(); save(true); });
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") { store(); save(true); }
  });

  /* publishing and previews wait for the last autosave */
  form.addEventListener("submit", function (event) {
    if (leaving) { return; }
    event.preventDefault();
    if (conflict) { return; }
    dirty = true;  // the form carries the fields itself: saved first so that its revision is the last
    save(false).then(function () {
      if (conflict) { return; }
      leaving = true;
      document.getElementById("publish").disabled = true;
      form.submit();
    });
  });
  Array.prototype.forEach.call(document.querySelectorAll("a.preview"), function (link) {
    link.addEventListener("click", function (event) {
      event.preventDefault();
      save(false).then(function () { window.location.assign(link.href); });
    });
  });

  /* --- the template as the letterhead and signature are typed ------------------------------------ */
  var head = document.getElementById("f-entete"), signature = document.getElementById("f-signature");
  var view = document.getElementById("template-view");
  function block(text) { return text.replace(/\r\n/g, "\n").split("\n").map(function (l) { return l.replace(/\s+$/, ""); }).join("\n").replace(/^\n+|\n+$/g, ""); }
  function showTemplate() {
    view.textContent = [block(head.value), "[texte dicté]", block(signature.value)].filter(function (p) { return p; }).join("\n\n");
  }
  head.addEventListener("input", showTemplate);
  signature.addEventListener("input", showTemplate);

  /* --- what to check: ▶ on the word, a proposed spelling put in the text ------------------------- */
  var checkStatus = document.getElementById("check-status");
  Array.prototype.forEach.call(document.querySelectorAll("#a-verifier button.replay"), function (button) {
    button.addEventListener("click", function () {
      var t = parseFloat(button.getAttribute("data-t"));
      if (window.TranscribePlayer && isFinite(t)) { window.TranscribePlayer.playFrom(Math.max(0, t - 1)); }
    });
  });
  var reference = document.getElementById("f-reference");
  function escaped(text) { return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"); }
  Array.prototype.forEach.call(document.querySelectorAll("#a-verifier button.replace"), function (button) {
    button.addEventListener("click", function () {
      var word = button.getAttribute("data-word"), proposal = button.getAttribute("data-proposal");
      var pattern = new RegExp("(^|[^\\p{L}\\p{N}])" + escaped(word) + "(?=$|[^\\p{L}\\p{N}])", "gu");
      var count = 0;
      reference.value = reference.value.replace(pattern, function (all, before) { count += 1; return before + proposal; });
      checkStatus.textContent = count ? "« " + word + " » remplacé par « " + proposal + " » (" + count + " fois)." :
        "« " + word + " » n'est plus dans le texte.";
      if (count) { reference.dispatchEvent(new Event("input", {bubbles: true})); }
    });
  });

  restore();
})();
