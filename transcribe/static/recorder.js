/* The new exercise page: record the dictation in the page (MediaRecorder), with a level meter
   (a Web Audio AnalyserNode read into a <meter>: no inline style), pause and resume, listen
   back, record again; or choose a file. The form is then sent with the upload's progress,
   and the page goes on to the creation (its transcription's progress). Without MediaRecorder
   the recorder stays hidden and the form sends the chosen file as it is. */
(function () {
  "use strict";

  var form = document.getElementById("new-form");
  var box = document.getElementById("recorder");
  if (!form || !box) { return; }
  var fileInput = document.getElementById("audio");
  var startButton = document.getElementById("rec-start");
  var pauseButton = document.getElementById("rec-pause");
  var stopButton = document.getElementById("rec-stop");
  var againButton = document.getElementById("rec-again");
  var meter = document.getElementById("rec-level");
  var clock = document.getElementById("rec-time");
  var playback = document.getElementById("rec-playback");
  var status = document.getElementById("rec-status");
  var uploadStatus = document.getElementById("upload-status");
  var progress = document.getElementById("upload-progress");
  var csrf = document.querySelector('meta[name="csrf-token"]');

  var recorder = null, stream = null, context = null, analyser = null, samples = null;
  var chunks = [], recording = null, recordingType = "", frame = null;
  var elapsedMs = 0, runningSince = null, ticker = null;

  var supported = !!(window.MediaRecorder && navigator.mediaDevices && navigator.mediaDevices.getUserMedia);
  if (supported) { box.hidden = false; }

  function say(element, text, bad) {
    element.textContent = text;
    element.classList.toggle("bad", !!bad);
  }
  function duration(ms) {
    var s = Math.floor(ms / 1000);
    return Math.floor(s / 60) + ":" + ("0" + (s % 60)).slice(-2);
  }
  function spoken(ms) {
    var s = Math.round(ms / 1000);
    return s < 60 ? s + " s" : Math.floor(s / 60) + " min " + ("0" + (s % 60)).slice(-2) + " s";
  }
  function elapsed() { return elapsedMs + (runningSince === null ? 0 : Date.now() - runningSince); }
  function showTime() { clock.textContent = duration(elapsed()); }
  function buttons(state) {  // idle | recording | paused | done
    startButton.disabled = state === "recording" || state === "paused";
    pauseButton.disabled = state !== "recording" && state !== "paused";
    stopButton.disabled = state !== "recording" && state !== "paused";
    againButton.disabled = state === "idle";
    pauseButton.textContent = state === "paused" ? "▶ Reprendre" : "⏸ Pause";
  }
  function chosenType() {
    var types = ["audio/webm;codecs=opus", "audio/ogg;codecs=opus", "audio/webm", "audio/mp4"];
    for (var i = 0; i < types.length; i += 1) {
      if (window.MediaRecorder.isTypeSupported && window.MediaRecorder.isTypeSupported(types[i])) { return types[i]; }
    }
    return "";
  }
  function suffix(type) {
    if (type.indexOf("ogg") >= 0) { return ".ogg"; }
    if (type.indexOf("mp4") >= 0) { return ".m4a"; }
    return ".webm";
  }

  /* --- the level meter: the peak of the last block of samples --------------------------------- */
  function level() {
    if (!analyser) { return; }
    analyser.getFloatTimeDomainData(samples);
    var peak = 0;
    for (var i = 0; i < samples.length; i += 1) { peak = Math.max(peak, Math.abs(samples[i])); }
    meter.value = recorder && recorder.state === "paused" ? 0 : Math.min(1, peak);
    meter.textContent = Math.round(meter.value * 100) + " %";
    frame = window.requestAnimationFrame(level);
  }
  function release() {
    if (frame !== null) { window.cancelAnimationFrame(frame); frame = null; }
    if (stream) { stream.getTracks().forEach(function (track) { track.stop(); }); stream = null; }
    if (context) { context.close(); context = null; }
    analyser = null;
    meter.value = 0;
    if (ticker !== null) { window.clearInterval(ticker); ticker = null; }
  }
  function forget() {
    recording = null;
    chunks = [];
    elapsedMs = 0;
    runningSince = null;
    if (playback.src) { URL.revokeObjectURL(playback.src); }
    playback.removeAttribute("src");
    playback.hidden = true;
    showTime();
  }

  startButton.addEventListener("click", function () {
    forget();
    say(status, "Accès au microphone…");
    navigator.mediaDevices.getUserMedia({audio: true}).then(function (micro) {
      stream = micro;
      context = new (window.AudioContext || window.webkitAudioContext)();
      analyser = context.createAnalyser();
      analyser.fftSize = 2048;
      samples = new Float32Array(analyser.fftSize);
      context.createMediaStreamSource(micro).connect(analyser);
      recordingType = chosenType();
      recorder = recordingType ? new window.MediaRecorder(micro, {mimeType: recordingType}) : new window.MediaRecorder(micro);
      recordingType = recorder.mimeType || recordingType || "audio/webm";
      recorder.addEventListener("dataavailable", function (event) {
        if (event.data && event.data.size) { chunks.push(event.data); }
      });
      recorder.addEventListener("stop", function () {
        recording = new Blob(chunks, {type: recordingType});
        playback.src = URL.createObjectURL(recording);
        playback.hidden = false;
        buttons("done");
        say(status, "Enregistrement de " + spoken(elapsedMs) + " prêt : réécoutez-le, recommencez ou envoyez-le.");
      });
      recorder.start(1000);
      runningSince = Date.now();
      ticker = window.setInterval(showTime, 250);
      level();
      fileInput.value = "";
      buttons("recording");
      say(status, "Enregistrement en cours : dictez, puis « Terminer ».");
    }).catch(function (error) {
      buttons("idle");
      say(status, "Microphone inaccessible (" + (error && error.name ? error.name : "refus") + ") : autorisez-le " +
          "dans le navigateur, ou envoyez un fichier audio.", true);
    });
  });

  pauseButton.addEventListener("click", function () {
    if (!recorder) { return; }
    if (recorder.state === "recording") {
      recorder.pause();
      elapsedMs += Date.now() - runningSince;
      runningSince = null;
      buttons("paused");
      say(status, "En pause : « Reprendre » pour continuer la dictée.");
    } else if (recorder.state === "paused") {
      recorder.resume();
      runningSince = Date.now();
      buttons("recording");
      say(status, "Enregistrement en cours : dictez, puis « Terminer ».");
    }
  });

  stopButton.addEventListener("click", function () {
    if (!recorder || recorder.state === "inactive") { return; }
    if (runningSince !== null) { elapsedMs += Date.now() - runningSince; runningSince = null; }
    recorder.stop();
    release();
    showTime();
  });

  againButton.addEventListener("click", function () {
    if (recorder && recorder.state !== "inactive") { recorder.stop(); }
    release();
    recorder = null;
    forget();
    buttons("idle");
    say(status, "Enregistrement effacé : « Enregistrer » pour recommencer.");
  });

  fileInput.addEventListener("change", function () {
    if (fileInput.files.length && recording) {
      againButton.click();
      say(status, "Le fichier choisi sera envoyé à la place de l'enregistrement.");
    }
  });

  /* --- sending --------------------------------------------------------------------------------- */
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    if (recorder && recorder.state !== "inactive") {
      say(uploadStatus, "Terminez l'enregistrement avant de l'envoyer.", true);
      return;
    }
    if (!recording && !fileInput.files.length) {
      say(uploadStatus, "Enregistrez la dictée ou choisissez un fichier audio.", true);
      return;
    }
    var data = new FormData(form);
    if (recording) { data.set("audio", recording, "enregistrement" + suffix(recordingType)); }
    var request = new XMLHttpRequest();
    request.open("POST", form.action);
    request.setRequestHeader("Accept", "application/json");
    if (csrf) { request.setRequestHeader("X-CSRF-Token", csrf.getAttribute("content")); }
    request.upload.addEventListener("progress", function (e) {
      if (e.lengthComputable) { progress.value = e.loaded / e.total; }
    });
    request.addEventListener("load", function () {
      var body = {};
      try { body = JSON.parse(request.responseText); } catch (e) { body = {}; }
      if (request.status === 201 && body.adresse) {
        say(uploadStatus, "Enregistrement reçu : transcription en file d'attente…");
        window.location.assign(body.adresse);
        return;
      }
      document.getElementById("send").disabled = false;
      progress.hidden = true;
      say(uploadStatus, body.erreur || ("Envoi refusé (erreur " + request.status + ")."), true);
    });
    request.addEventListener("error", function () {
      document.getElementById("send").disabled = false;
      progress.hidden = true;
      say(uploadStatus, "Envoi interrompu (réseau ?) : rien n'a été enregistré ; réessayez.", true);
    });
    document.getElementById("send").disabled = true;
    progress.hidden = false;
    progress.value = 0;
    say(uploadStatus, "Envoi en cours…");
    request.send(data);
  });

  buttons("idle");
})();
