// The pay page's card form, in its own frame (templates/payments/card_frame.html):
// Stripe.js sets the card up (the number goes to Stripe, never to us), the portal charges
// it, and Stripe.js handles 3-D Secure when the bank asks for it. Stripe.js runs only in
// this frame, so nothing it declares (localstripe's stand-in declares a global `Element`
// class) can break the pay page's own scripts. Everything the script needs comes from
// data- attributes on #card-form (no inline script, so a strict Content Security Policy
// can forbid them). The frame is same-origin: it sizes its <iframe> to its content, and
// the whole window (not just the frame) goes on to the payment's status page.
(function () {
  "use strict";
  const frame = window.frameElement; // null when the form is opened on its own

  function goTo(url) {
    (frame ? window.top : window).location.assign(url);
  }

  function fitFrame() {
    if (frame && !frame.classList.contains("card-frame-expanded")) {
      frame.style.height = Math.ceil(document.body.getBoundingClientRect().height) + "px";
    }
  }

  function showFocus(on) {
    // The page around the frame sees only the <iframe> focused: outline it too.
    frame.classList.toggle("card-frame-focused", on);
  }

  if (frame) {
    document.addEventListener("focusin", function () { showFocus(true); });
    window.addEventListener("focus", function () { showFocus(true); });
    window.addEventListener("blur", function () { showFocus(false); });
    fitFrame();
    if (typeof ResizeObserver !== "undefined") {
      new ResizeObserver(fitFrame).observe(document.body);
    }
    window.addEventListener("load", fitFrame);
  }

  const follow = document.body.dataset.followUrl;
  if (follow) {
    goTo(follow);
    return;
  }
  const form = document.getElementById("card-form");
  if (!form) {
    return;
  }
  function cardFormUnavailable() {
    // The card script did not load or broke (blocked, offline): say so, never fail silently.
    document.getElementById("card-unavailable").classList.remove("d-none");
    document
      .querySelectorAll("#pay-button, #card-element, label[for=card-element]")
      .forEach(function (el) { el.classList.add("d-none"); });
    fitFrame();
  }

  if (typeof Stripe === "undefined") {
    cardFormUnavailable();
    return;
  }
  const data = form.dataset;
  const button = document.getElementById("pay-button");
  const errorBox = document.getElementById("card-errors");
  const idleLabel = button.textContent;
  let stripe = null;
  let card = null;
  let setupIntentId = null; // a card set up once is charged on retry, not set up again

  try {
    stripe = Stripe(data.publishableKey);
    if (!data.intentSecret) {
      card = stripe.elements().create("card", { hidePostalCode: false });
      card.mount("#card-element");
    }
  } catch (err) {
    cardFormUnavailable();
    return;
  }

  function busy(on) {
    button.disabled = on;
    button.textContent = on ? button.dataset.busyLabel : idleLabel;
  }

  function showError(message) {
    errorBox.textContent = message || "The payment could not be completed. Please try again.";
    errorBox.classList.remove("d-none");
    busy(false);
    fitFrame();
  }

  function followPayment() {
    goTo(data.statusUrl);
  }

  async function authenticate(clientSecret) {
    // The bank's challenge opens inside this frame: give the frame the whole window.
    if (frame) {
      frame.classList.add("card-frame-expanded");
      document.body.style.overflow = "auto";
    }
    // Whatever the bank says, the status page reports it once Stripe has told the portal.
    await stripe.confirmCardPayment(clientSecret);
    followPayment();
  }

  async function charge(setupIntentId) {
    const body = new FormData();
    body.append("csrfmiddlewaretoken", form.querySelector("[name=csrfmiddlewaretoken]").value);
    body.append("setup_intent", setupIntentId);
    let response;
    try {
      response = await fetch(data.confirmUrl, {
        method: "POST",
        body: body,
        credentials: "same-origin",
        headers: { Accept: "application/json" },
      });
    } catch (err) {
      showError("We could not reach the portal. Check your connection and try again.");
      return;
    }
    const result = await response.json().catch(function () { return {}; });
    if (!response.ok) {
      showError(result.message);
      return;
    }
    if (result.status === "requires_action" && result.intent_client_secret) {
      await authenticate(result.intent_client_secret);
      return;
    }
    goTo(result.status_url || data.statusUrl);
  }

  form.addEventListener("submit", async function (event) {
    event.preventDefault();
    errorBox.classList.add("d-none");
    busy(true);
    if (data.intentSecret) {
      await authenticate(data.intentSecret);
      return;
    }
    if (!setupIntentId) {
      const result = await stripe.confirmCardSetup(data.setupSecret, {
        payment_method: { card: card },
      });
      if (result.error) {
        showError(result.error.message);
        return;
      }
      setupIntentId = result.setupIntent.id;
    }
    await charge(setupIntentId);
  });
})();
