/*
 * Commune of a postal code, for the forms that ask for a place (CRA, lieu d'activité).
 *
 * When the référentiel of communes is loaded, the server renders the commune inputs hidden: a 5-digit postal
 * code asks the server for its communes (GET <url>?code_postal=…) and this script offers them as a list
 * that fills the two inputs. Without the script, the server takes a postal code's only commune, or shows
 * the list itself after a first submission. Without the référentiel (a bare installation), the inputs are
 * typed; if anything fails they stay as they are: the server checks everything anyway.
 *
 * Markup: a container [data-communes] holding the inputs named code_postal, code_commune and nom_commune,
 * an empty [data-commune-choice] and the commune inputs' wrapper [data-commune-inputs]; the URL is the
 * data-communes-url of the form.
 */
(function () {
  "use strict";

  var POSTAL_CODE = /^[0-9]{5}$/;

  function messagesOf(input) {
    return document.getElementById(input.id + "-messages");
  }

  function attach(container, url) {
    var postalCode = container.querySelector("input[name='code_postal']");
    var code = container.querySelector("input[name='code_commune']");
    var name = container.querySelector("input[name='nom_commune']");
    var choice = container.querySelector("[data-commune-choice]");
    var inputs = container.querySelector("[data-commune-inputs]");
    if (!postalCode || !code || !name || !choice || !inputs || !url || !window.fetch) {
      return;
    }
    var selectId = code.id + "-choix";
    var codeMessages = messagesOf(code);
    var codeMessagesHome = codeMessages ? codeMessages.parentNode : null;
    var pending = null;
    var lastAsked = null;

    // The error summary's links to the commune input lead to the list while it replaces the inputs.
    function pointSummaryLinks(targetId) {
      var links = document.querySelectorAll(
        "a[href='#" + code.id + "'], a[href='#" + selectId + "']"
      );
      Array.prototype.forEach.call(links, function (link) {
        link.setAttribute("href", "#" + targetId);
      });
    }

    function showInputs() {
      if (codeMessages && codeMessagesHome && codeMessages.parentNode !== codeMessagesHome) {
        codeMessagesHome.appendChild(codeMessages);
      }
      choice.textContent = "";
      inputs.hidden = false;
      pointSummaryLinks(code.id);
    }

    function say(text) {
      choice.textContent = "";
      var message = document.createElement("p");
      message.className = "fr-message fr-message--info fr-mb-2w";
      message.setAttribute("role", "status");
      message.textContent = text;
      choice.appendChild(message);
    }

    function offer(communes) {
      var hasError = code.closest(".fr-input-group--error") !== null;
      var group = document.createElement("div");
      group.className = "fr-select-group" + (hasError ? " fr-select-group--error" : "");
      var label = document.createElement("label");
      label.className = "fr-label";
      label.setAttribute("for", selectId);
      label.textContent = "Commune";
      var hint = document.createElement("span");
      hint.className = "fr-hint-text";
      hint.textContent =
        communes.length > 1
          ? communes.length + " communes ont ce code postal."
          : "La commune de ce code postal.";
      label.appendChild(hint);
      var select = document.createElement("select");
      select.className = "fr-select";
      select.id = selectId;
      if (codeMessages) {
        select.setAttribute("aria-describedby", codeMessages.id);
      }
      if (communes.length > 1) {
        select.appendChild(new Option("Choisir la commune", ""));
      }
      var known = false;
      communes.forEach(function (commune) {
        var option = new Option(commune.nom + " (" + commune.code + ")", commune.code);
        option.dataset.nom = commune.nom;
        if (commune.code === code.value.trim().toUpperCase()) {
          option.selected = true;
          known = true;
        }
        select.appendChild(option);
      });
      function fill() {
        var option = select.options[select.selectedIndex];
        code.value = option ? option.value : "";
        name.value = option && option.value ? option.dataset.nom : "";
      }
      select.addEventListener("change", fill);
      if (!known) {
        fill();
      }
      group.appendChild(label);
      group.appendChild(select);
      if (codeMessages) {
        group.appendChild(codeMessages);
      }
      choice.textContent = "";
      choice.appendChild(group);
      inputs.hidden = true;
      pointSummaryLinks(selectId);
    }

    function lookUp() {
      var value = postalCode.value.trim();
      if (value === lastAsked) {
        return;
      }
      lastAsked = value;
      if (pending) {
        pending.abort();
        pending = null;
      }
      if (!POSTAL_CODE.test(value)) {
        showInputs();
        return;
      }
      var controller = window.AbortController ? new AbortController() : null;
      pending = controller;
      var address = url + (url.indexOf("?") === -1 ? "?" : "&") + "code_postal=" + encodeURIComponent(value);
      fetch(address, {
        credentials: "same-origin",
        headers: { Accept: "application/json" },
        signal: controller ? controller.signal : undefined,
      })
        .then(function (response) {
          if (!response.ok) {
            throw new Error("HTTP " + response.status);
          }
          return response.json();
        })
        .then(function (data) {
          if (postalCode.value.trim() !== value) {
            return;
          }
          if (!data || !data.referentiel) {
            showInputs();
          } else if (!data.communes || data.communes.length === 0) {
            showInputs();
            say("Aucune commune connue pour le code postal " + value + " : vérifiez-le.");
          } else {
            offer(data.communes);
          }
        })
        .catch(function () {
          // Network error or aborted request: the inputs stay, the server checks.
          if (postalCode.value.trim() === value) {
            showInputs();
          }
        });
    }

    postalCode.addEventListener("input", lookUp);
    postalCode.addEventListener("change", lookUp);
    lookUp();
  }

  window.cnfsCommunes = { attach: attach };

  function start() {
    var forms = document.querySelectorAll("form[data-communes-url]");
    Array.prototype.forEach.call(forms, function (form) {
      var containers = form.querySelectorAll("[data-communes]");
      Array.prototype.forEach.call(containers, function (container) {
        try {
          attach(container, form.getAttribute("data-communes-url"));
        } catch (error) {
          // The inputs stay usable as typed fields.
        }
      });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
