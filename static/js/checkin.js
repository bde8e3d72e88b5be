// The staff check-in page: the camera reads holders' QR codes with jsQR (vendored in
// static/vendor/jsqr), a typed code is the fallback, and each scan is one small JSON POST.
// A scan that does not reach the server stays listed with a Retry button; retrying is
// safe because the server checks a holder in once and answers "already checked in".
// Everything comes from data- attributes on #checkin: no inline script (CSP).
(function () {
  "use strict";
  const root = document.getElementById("checkin");
  if (!root) {
    return;
  }
  const scanUrl = root.dataset.scanUrl;
  const csrfToken = root.querySelector("input[name=csrfmiddlewaretoken]").value;
  const result = document.getElementById("scan-result");
  const video = document.getElementById("scan-video");
  const canvas = document.getElementById("scan-canvas");
  const startButton = document.getElementById("camera-start");
  const stopButton = document.getElementById("camera-stop");
  const cameraStatus = document.getElementById("camera-status");
  const typedForm = document.getElementById("typed-form");
  const typedInput = document.getElementById("typed-code");
  const unsent = document.getElementById("unsent");
  const unsentList = document.getElementById("unsent-list");
  const retryAll = document.getElementById("retry-all");
  const recentList = document.getElementById("recent-list");
  const countBox = document.getElementById("checked-in-count");
  const TIMEOUT_MS = 10000;
  const SAME_CODE_PAUSE_MS = 4000; // the camera sees the same code many times a second

  const pending = new Map(); // code -> {method, item}: scans that did not reach the server
  const inFlight = new Set();
  let lastCode = "";
  let lastCodeAt = 0;
  let stream = null;

  function show(kind, title, detail) {
    result.className = "checkin-result alert alert-" + kind;
    result.textContent = "";
    const strong = document.createElement("strong");
    strong.textContent = title;
    result.appendChild(strong);
    if (detail) {
      result.appendChild(document.createTextNode(detail));
    }
  }

  function addRecent(name) {
    const item = document.createElement("li");
    item.className = "list-group-item px-0";
    const time = new Date().toLocaleTimeString([], { hour: "numeric", minute: "2-digit" });
    item.textContent = name + " · " + time;
    recentList.insertBefore(item, recentList.firstChild);
  }

  function refreshUnsent() {
    unsent.hidden = pending.size === 0;
  }

  function keepUnsent(code, method) {
    if (pending.has(code)) {
      return;
    }
    const item = document.createElement("li");
    item.className = "list-group-item d-flex justify-content-between align-items-center gap-2";
    const label = document.createElement("span");
    label.textContent = (method === "typed" ? "Typed " : "Scanned ") + new Date().toLocaleTimeString();
    const retry = document.createElement("button");
    retry.type = "button";
    retry.className = "btn btn-sm btn-warning";
    retry.textContent = "Retry";
    retry.addEventListener("click", function () {
      send(code, method);
    });
    item.append(label, retry);
    unsentList.appendChild(item);
    pending.set(code, { method: method, item: item });
    refreshUnsent();
  }

  function dropUnsent(code) {
    const kept = pending.get(code);
    if (kept) {
      kept.item.remove();
      pending.delete(code);
      refreshUnsent();
    }
  }

  async function send(code, method) {
    if (inFlight.has(code)) {
      return;
    }
    inFlight.add(code);
    show("secondary", "Checking…", "");
    const controller = new AbortController();
    const timer = setTimeout(function () {
      controller.abort();
    }, TIMEOUT_MS);
    let response;
    let body;
    try {
      response = await fetch(scanUrl, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken },
        body: JSON.stringify({ code: code, method: method }),
        signal: controller.signal,
      });
      if (response.status === 403 || response.redirected) {
        body = { outcome: "refused", message: "You are signed out, or not AASC staff: sign in again and retry." };
        keepUnsent(code, method);
      } else if (response.status >= 500) {
        throw new Error("server error " + response.status);
      } else {
        body = await response.json();
      }
    } catch (error) {
      // No answer (offline, timeout, server down, or an answer cut short): the scan may
      // or may not have landed; retrying tells which, and never counts it twice.
      keepUnsent(code, method);
      show("warning", "Not sent: the scan did not reach the server.",
        " Check the connection and press Retry below.");
      return;
    } finally {
      clearTimeout(timer);
      inFlight.delete(code);
    }
    if (response.status !== 403 && !response.redirected) {
      dropUnsent(code);
    }
    if (body.outcome === "checked_in") {
      show("success", "✓ " + body.name, " " + body.message);
      addRecent(body.name);
      if (countBox && body.count !== undefined) {
        countBox.textContent = body.count;
      }
      if (navigator.vibrate) {
        navigator.vibrate(120);
      }
    } else if (body.outcome === "already") {
      show("info", "Already checked in: " + body.name, " Nothing was changed.");
    } else {
      show("danger", "Refused", " " + (body.message || "This code cannot check anyone in."));
    }
  }

  typedForm.addEventListener("submit", function (event) {
    event.preventDefault();
    const code = typedInput.value.trim();
    if (!code) {
      return;
    }
    send(code, "typed");
    typedInput.value = "";
    typedInput.focus();
  });

  retryAll.addEventListener("click", function () {
    pending.forEach(function (kept, code) {
      send(code, kept.method);
    });
  });

  // --- the camera ------------------------------------------------------------------------

  function scanFrame() {
    if (!stream) {
      return;
    }
    if (video.readyState === video.HAVE_ENOUGH_DATA && video.videoWidth) {
      // Decode a copy at most 640 pixels wide: enough for a code held up to the phone.
      const scale = Math.min(1, 640 / video.videoWidth);
      canvas.width = Math.round(video.videoWidth * scale);
      canvas.height = Math.round(video.videoHeight * scale);
      const context = canvas.getContext("2d", { willReadFrequently: true });
      context.drawImage(video, 0, 0, canvas.width, canvas.height);
      const image = context.getImageData(0, 0, canvas.width, canvas.height);
      const found = window.jsQR(image.data, image.width, image.height, {
        inversionAttempts: "attemptBoth",
      });
      if (found && found.data) {
        const now = Date.now();
        if (found.data !== lastCode || now - lastCodeAt > SAME_CODE_PAUSE_MS) {
          lastCode = found.data;
          lastCodeAt = now;
          send(found.data, "camera");
        }
      }
    }
    requestAnimationFrame(scanFrame);
  }

  async function startCamera() {
    if (typeof window.jsQR !== "function") {
      cameraStatus.textContent = root.dataset.jsqrMissing;
      return;
    }
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      cameraStatus.textContent =
        "This browser cannot use the camera here (it needs https): type the codes instead.";
      return;
    }
    cameraStatus.textContent = "Starting the camera…";
    try {
      stream = await navigator.mediaDevices.getUserMedia({
        video: { facingMode: "environment" },
        audio: false,
      });
    } catch (error) {
      stream = null;
      cameraStatus.textContent =
        "The camera could not start (" + error.name + "): allow it, or type the codes instead.";
      return;
    }
    video.srcObject = stream;
    await video.play();
    startButton.hidden = true;
    stopButton.hidden = false;
    cameraStatus.textContent = "Camera on: hold the holder's code in view.";
    root.dataset.camera = "on";
    requestAnimationFrame(scanFrame);
  }

  function stopCamera() {
    if (stream) {
      stream.getTracks().forEach(function (track) {
        track.stop();
      });
    }
    stream = null;
    video.srcObject = null;
    startButton.hidden = false;
    stopButton.hidden = true;
    cameraStatus.textContent = "Camera off.";
    root.dataset.camera = "off";
  }

  startButton.addEventListener("click", startCamera);
  stopButton.addEventListener("click", stopCamera);
})();
