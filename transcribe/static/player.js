/* The transcription player: play/pause, back-step, fast-forward, speed with pitch kept,
   automatic back-step on pause, all from the keyboard with settable keys (localStorage). */
(function () {
  "use strict";

  var STORAGE_KEY = "transcribe.lecteur";
  var DEFAULTS = {
    retour: 3, avance: 3, retourAuto: 1.5, vitesse: 100,
    touches: {bascule: "Escape", lecture: "F9", arret: "F4", retour: "F7", avance: "F8"}
  };
  var KEY_NAMES = {Escape: "Échap", Insert: "Inser", Pause: "Pause", PageUp: "Page préc.", PageDown: "Page suiv.",
                   ScrollLock: "Arrêt défil.", MediaPlayPause: "Lecture/pause (média)", " ": "Espace"};
  var WRITING_KEYS = /^(Tab|Enter|Backspace|Delete|Arrow\w+|Home|End|Shift|Control|Alt|AltGraph|Meta|CapsLock|ContextMenu|Dead|Process|Unidentified)$/;

  var audio = document.getElementById("audio");
  if (!audio) { return; }
  audio.preservesPitch = true;
  audio.mozPreservesPitch = true;
  audio.webkitPreservesPitch = true;

  function clone(x) { return JSON.parse(JSON.stringify(x)); }

  function loadSettings() {
    var s = clone(DEFAULTS), saved = {};
    try { saved = JSON.parse(window.localStorage.getItem(STORAGE_KEY) || "{}") || {}; } catch (e) { saved = {}; }
    ["retour", "avance", "retourAuto", "vitesse"].forEach(function (k) {
      if (typeof saved[k] === "number" && isFinite(saved[k])) { s[k] = saved[k]; }
    });
    if (saved.touches && typeof saved.touches === "object") {
      Object.keys(s.touches).forEach(function (k) {
        if (typeof saved.touches[k] === "string" && saved.touches[k]) { s.touches[k] = saved.touches[k]; }
      });
    }
    return s;
  }

  var settings = loadSettings();

  function saveSettings() {
    try { window.localStorage.setItem(STORAGE_KEY, JSON.stringify(settings)); } catch (e) { /* private mode */ }
    showSettings();
  }

  function keyName(key) { return KEY_NAMES[key] || key; }
  function frNumber(x) { return String(x).replace(".", ","); }

  function clock(seconds) {
    if (!isFinite(seconds) || seconds < 0) { seconds = 0; }
    var s = Math.floor(seconds);
    return Math.floor(s / 60) + ":" + ("0" + (s % 60)).slice(-2);
  }

  function showSettings() {
    document.querySelectorAll("[data-key-of]").forEach(function (el) {
      el.textContent = keyName(settings.touches[el.getAttribute("data-key-of")]);
    });
    document.querySelectorAll("[data-capture]").forEach(function (el) {
      if (el.getAttribute("aria-pressed") !== "true") {
        el.textContent = keyName(settings.touches[el.getAttribute("data-capture")]);
      }
    });
    document.querySelectorAll("[data-setting]").forEach(function (el) {
      el.textContent = frNumber(settings[el.getAttribute("data-setting")]);
    });
    ["retour", "avance", "retourAuto"].forEach(function (k) {
      var input = document.getElementById("set-" + k);
      if (input) { input.value = settings[k]; }
    });
  }

  /* --- playback ------------------------------------------------------------------------- */
  var firstPlayCallbacks = [];
  var played = false;

  function seekTo(t) {
    var end = isFinite(audio.duration) ? audio.duration : t;
    audio.currentTime = Math.max(0, Math.min(t, end));
    showPosition();
  }
  function seekBy(delta) { seekTo(audio.currentTime + delta); }
  function play() {
    var p = audio.play();
    if (p && p.catch) { p.catch(function () { /* interrupted by a pause */ }); }
  }
  function pause() {
    if (audio.paused) { return; }
    audio.pause();
    if (settings.retourAuto > 0) { seekBy(-settings.retourAuto); }
  }
  var actions = {
    bascule: function () { if (audio.paused) { play(); } else { pause(); } },
    lecture: play,
    arret: pause,
    retour: function () { seekBy(-settings.retour); },
    avance: function () { seekBy(settings.avance); }
  };

  var position = document.getElementById("position");
  var durationEl = document.getElementById("duration");
  var seek = document.getElementById("seek");
  var playButton = document.getElementById("btn-play");

  function showPosition() {
    position.textContent = clock(audio.currentTime);
    if (seek && document.activeElement !== seek) { seek.value = audio.currentTime; }
  }

  audio.addEventListener("timeupdate", showPosition);
  audio.addEventListener("seeked", showPosition);
  audio.addEventListener("loadedmetadata", function () {
    durationEl.textContent = clock(audio.duration);
    if (seek) { seek.max = audio.duration; }
  });
  audio.addEventListener("play", function () {
    playButton.textContent = "⏸ Pause";
    if (!played) {
      played = true;
      firstPlayCallbacks.forEach(function (cb) { cb(); });
    }
  });
  audio.addEventListener("pause", function () { playButton.textContent = "▶ Lecture"; });
  audio.addEventListener("error", function () {
    var box = document.getElementById("editor-message");
    if (box) { box.textContent = "L'audio de l'exercice n'a pas pu être lu par le navigateur."; }
  });

  document.querySelectorAll("[data-action]").forEach(function (button) {
    button.addEventListener("click", function () { actions[button.getAttribute("data-action")](); });
  });
  if (seek) {
    seek.addEventListener("input", function () { seekTo(parseFloat(seek.value)); });
  }

  var speed = document.getElementById("speed");
  var speedValue = document.getElementById("speed-value");
  function applySpeed(v) {
    v = Math.max(50, Math.min(150, v));
    audio.playbackRate = v / 100;
    audio.defaultPlaybackRate = v / 100;
    speed.value = v;
    speedValue.textContent = v + " %";
  }
  speed.addEventListener("input", function () {
    settings.vitesse = parseInt(speed.value, 10);
    applySpeed(settings.vitesse);
    saveSettings();
  });

  /* --- keys ------------------------------------------------------------------------------ */
  var capturing = null;
  var message = document.getElementById("settings-message");

  document.addEventListener("keydown", function (event) {
    if (capturing) { return; }
    if (event.ctrlKey || event.altKey || event.metaKey) { return; }
    var names = Object.keys(settings.touches);
    for (var i = 0; i < names.length; i++) {
      if (settings.touches[names[i]] === event.key) {
        event.preventDefault();
        actions[names[i]]();
        return;
      }
    }
  });

  document.querySelectorAll("[data-capture]").forEach(function (button) {
    button.addEventListener("click", function () {
      capturing = button.getAttribute("data-capture");
      button.setAttribute("aria-pressed", "true");
      button.textContent = "Appuyez sur une touche…";
      message.textContent = "";
    });
    button.addEventListener("keydown", function (event) {
      if (capturing !== button.getAttribute("data-capture")) { return; }
      if (event.key === "Tab") { stopCapture(button); return; }
      event.preventDefault();
      if (event.key.length === 1 || WRITING_KEYS.test(event.key)) {
        message.textContent = "« " + keyName(event.key) + " » sert à écrire : choisissez F1 à F12, Échap, Inser, Pause…";
        return;
      }
      var old = settings.touches[capturing];
      Object.keys(settings.touches).forEach(function (other) {
        if (settings.touches[other] === event.key) { settings.touches[other] = old; }  // swap
      });
      settings.touches[capturing] = event.key;
      stopCapture(button);
      saveSettings();
      message.textContent = "Touche enregistrée : " + keyName(event.key) + ".";
    });
    button.addEventListener("blur", function () { stopCapture(button); });
  });

  function stopCapture(button) {
    if (capturing === button.getAttribute("data-capture")) { capturing = null; }
    button.setAttribute("aria-pressed", "false");
    showSettings();
  }

  ["retour", "avance", "retourAuto"].forEach(function (k) {
    var input = document.getElementById("set-" + k);
    if (!input) { return; }
    input.addEventListener("change", function () {
      var v = parseFloat(String(input.value).replace(",", "."));
      var lo = parseFloat(input.min), hi = parseFloat(input.max);
      if (!isFinite(v) || v < lo || v > hi) {
        message.textContent = "Valeur hors limites (" + frNumber(lo) + " à " + frNumber(hi) + " s).";
        showSettings();
        return;
      }
      settings[k] = v;
      saveSettings();
    });
  });

  document.getElementById("reset-settings").addEventListener("click", function () {
    settings = clone(DEFAULTS);
    applySpeed(settings.vitesse);
    saveSettings();
    message.textContent = "Réglages par défaut rétablis.";
  });

  applySpeed(settings.vitesse);
  showSettings();

  window.TranscribePlayer = {
    audio: audio,
    onFirstPlay: function (cb) { if (played) { cb(); } else { firstPlayCallbacks.push(cb); } },
    settings: function () { return clone(settings); },
    playFrom: function (t) { seekTo(t); play(); }  // the authoring page's ▶ on a word to check
  };
})();
