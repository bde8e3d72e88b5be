// The pay page: Stripe.js sets the card up (the number goes to Stripe, never to us),
// the portal charges it, and Stripe.js handles 3-D Secure when the bank asks for it.
// Everything the script needs comes from data- attributes on #card-form (no inline
// script, so a strict Content Security Policy can forbid them).
(function () {
  "use strict";
  const form = document.getElementById("card-form");
  if (!form || typeof Stripe === "undefined") {
    return;
  }
  const data = form.dataset;
  const stripe = Stripe(data.publishableKey);
  const button = document.getElementById("pay-button");
  const errorBox = document.getElementById("card-errors");
  const idleLabel = button.textContent;
  let card = null;
  let setupIntentId = null; // a card set up once is charged on retry, not set up again

  if (!data.intentSecret) {
    card = stripe.elements().create("card", { hidePostalCode: false });
    card.mount("#card-element");
  }

  function busy(on) {
    button.disabled = on;
    button.textContent = on ? button.dataset.busyLabel : idleLabel;
  }

  function showError(message) {
    errorBox.textContent = message || "The payment could not be completed. Please try again.";
    errorBox.classList.remove("d-none");
    busy(false);
  }

  function followPayment() {
    window.location.assign(data.statusUrl);
  }

  async function authenticate(clientSecret) {
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
    window.location.assign(result.status_url || data.statusUrl);
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
