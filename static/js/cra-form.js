/*
 * The CRA form's helpers (templates/cra/form.html). The form works without them and the server decides on
 * everything; here we only spare the conseiller some typing and show what is left to do:
 *  - the canal shows the lieu d'activité list or the commune inputs that go with it;
 *  - one participant, read-only, for an individual accompaniment or a one-off request, 5 by default when
 *    switching to a workshop;
 *  - "Reste à répartir : N" under the tranches d'âge and the statuts as one types;
 *  - each theme's sub-themes appear when the theme is chosen;
 *  - the exact duration only for "1 h ou plus";
 *  - a second click on "Enregistrer" while the first is on its way does nothing.
 * Each helper is independent: one failing leaves the others and the plain form working.
 */
(function () {
  "use strict";

  var SINGLE_PERSON = ["individuel", "ponctuel"];
  var WORKSHOP = "collectif";
  var WORKSHOP_DEFAULT = "5";
  var LONG_DURATION = "60+";

  function each(list, callback) {
    Array.prototype.forEach.call(list, callback);
  }

  function checkedValue(form, name) {
    var checked = form.querySelector("input[name='" + name + "']:checked");
    return checked ? checked.value : "";
  }

  function onChange(form, name, callback) {
    each(form.querySelectorAll("input[name='" + name + "']"), function (input) {
      input.addEventListener("change", function () {
        callback(true);
      });
    });
  }

  // A block holding an error message stays visible, whatever the choices around it.
  function show(block, visible) {
    if (!block) {
      return;
    }
    block.hidden = !visible && block.querySelector(".fr-message--error") === null;
  }

  function count(input) {
    var value = (input.value || "").trim();
    return /^[0-9]+$/.test(value) ? parseInt(value, 10) : 0;
  }

  function canal(form) {
    var lieu = form.querySelector("[data-canal-lieu]");
    var commune = form.querySelector("[data-canal-commune]");
    function update() {
      var value = checkedValue(form, "canal");
      // "À distance": the person's commune, or by default the lieu d'activité; no canal yet: everything.
      show(lieu, value === "" || value === "rattachement" || value === "distance");
      show(commune, value !== "rattachement");
    }
    onChange(form, "canal", update);
    update();
  }

  function repartitions(form) {
    var participants = form.querySelector("input[name='nb_participants']");
    var groups = [];
    each(form.querySelectorAll("[data-repartition]"), function (fieldset) {
      var output = fieldset.querySelector("[data-reste]");
      if (!output) {
        return;
      }
      var group = { inputs: fieldset.querySelectorAll("input[type='number']"), output: output };
      each(group.inputs, function (input) {
        input.addEventListener("input", update);
      });
      output.hidden = false;
      groups.push(group);
    });
    function update() {
      var total = participants ? count(participants) : 0;
      groups.forEach(function (group) {
        var sum = 0;
        each(group.inputs, function (input) {
          sum += count(input);
        });
        var rest = total - sum;
        var text = "Reste à répartir : " + rest;
        if (rest < 0) {
          text += " (" + -rest + (rest === -1 ? " personne" : " personnes") + " de trop)";
        } else if (rest === 0 && total > 0) {
          text += ", tout est réparti";
        }
        // Rewriting the same text would make screen readers announce it again.
        if (group.output.textContent !== text) {
          group.output.textContent = text;
        }
        group.output.classList.toggle("cnfs-reste--complet", rest === 0 && total > 0);
        group.output.classList.toggle("cnfs-reste--trop", rest < 0);
      });
    }
    if (participants) {
      participants.addEventListener("input", update);
    }
    return update;
  }

  function participants(form, updateSums) {
    var input = form.querySelector("input[name='nb_participants']");
    var note = form.querySelector("[data-participants-note]");
    if (!input) {
      return;
    }
    if (note && note.id) {
      var describedBy = (input.getAttribute("aria-describedby") || "").split(" ");
      if (describedBy.indexOf(note.id) === -1) {
        describedBy.push(note.id);
        input.setAttribute("aria-describedby", describedBy.join(" ").trim());
      }
    }
    function update(fromUser) {
      var activite = checkedValue(form, "activite");
      var single = SINGLE_PERSON.indexOf(activite) !== -1;
      if (single) {
        input.value = "1";
      } else if (fromUser && activite === WORKSHOP && (input.value === "" || input.value === "1")) {
        input.value = WORKSHOP_DEFAULT;
      }
      input.readOnly = single;
      if (note) {
        note.hidden = !single;
      }
      updateSums();
    }
    onChange(form, "activite", update);
    update(false);
  }

  function sousThemes(form) {
    each(form.querySelectorAll("[data-sous-themes-of]"), function (box) {
      var theme = form.querySelector(
        "input[name='themes'][value='" + box.getAttribute("data-sous-themes-of") + "']"
      );
      if (!theme) {
        return;
      }
      var subs = box.querySelectorAll("input[type='checkbox']");
      function update(fromUser) {
        if (fromUser && !theme.checked) {
          // A sub-theme needs its theme: it goes with it.
          each(subs, function (sub) {
            sub.checked = false;
          });
        }
        var anyChecked = Array.prototype.some.call(subs, function (sub) {
          return sub.checked;
        });
        box.hidden = !theme.checked && !anyChecked;
      }
      theme.addEventListener("change", function () {
        update(true);
      });
      update(false);
    });
  }

  function duree(form) {
    var minutes = form.querySelector("[data-duree-minutes]");
    function update() {
      show(minutes, checkedValue(form, "duree") === LONG_DURATION);
    }
    onChange(form, "duree", update);
    update();
  }

  function singleSubmit(form) {
    var button = form.querySelector("[data-submit]");
    var timer = null;
    function release() {
      form.removeAttribute("data-submitting");
      if (button) {
        button.removeAttribute("aria-disabled");
      }
    }
    form.addEventListener("submit", function (event) {
      if (form.hasAttribute("data-submitting")) {
        event.preventDefault();
        return;
      }
      form.setAttribute("data-submitting", "");
      if (button) {
        button.setAttribute("aria-disabled", "true");
      }
      // If the answer never comes, the person can try again (the idempotency key avoids a duplicate).
      timer = window.setTimeout(release, 10000);
    });
    // Back to the page from the browser's history: the form is usable again.
    window.addEventListener("pageshow", function () {
      window.clearTimeout(timer);
      release();
    });
  }

  function start() {
    var form = document.querySelector("form[data-cra-form]");
    if (!form) {
      return;
    }
    var updateSums = function () {};
    [
      function () {
        canal(form);
      },
      function () {
        updateSums = repartitions(form);
        updateSums();
      },
      function () {
        participants(form, updateSums);
      },
      function () {
        sousThemes(form);
      },
      function () {
        duree(form);
      },
      function () {
        singleSubmit(form);
      },
    ].forEach(function (helper) {
      try {
        helper();
      } catch (error) {
        // This helper is lost; the form and the other helpers still work.
      }
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
