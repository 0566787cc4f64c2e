// The attempt page: background saves, the countdown and integrity signals.
// Everything here is an enhancement: without JavaScript the form posts normally.
(function () {
  "use strict";

  var form = document.getElementById("attempt-form");
  if (!form || !window.fetch || !window.FormData) {
    return;
  }
  var status = form.querySelector(".save-status");
  var seqInput = form.querySelector('input[name="seq"]');
  var lastSeq = parseInt(form.dataset.seq, 10) || 0;
  var submitting = false;

  // A save's number grows with time, so the newest save wins even across tabs and
  // reloads; the server drops any save whose number is not above the last accepted.
  // The time is the server's (sent with the page) plus the time elapsed here: the
  // computer's own clock may be far off, and the server refuses numbers far ahead.
  var serverNow = parseInt(form.dataset.now, 10) || Date.now();
  var loadedAt = performance.now();
  function nextSeq() {
    lastSeq = Math.max(lastSeq + 1, serverNow + Math.floor(performance.now() - loadedAt));
    return lastSeq;
  }

  function say(message) {
    if (status) {
      status.textContent = message || "";
    }
  }

  // --- integrity signals (deltas since the last successful report) ---------------------
  var pending = { focus_lost: 0, hidden: 0, copies: 0, pastes: 0 };
  var seconds = {};
  var questions = Array.prototype.slice.call(form.querySelectorAll("fieldset[data-question]"));
  var current = questions.length ? questions[0].dataset.question : null;

  window.addEventListener("blur", function () { pending.focus_lost += 1; });
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") {
      pending.hidden += 1;
      save({ beacon: true });
    }
  });
  document.addEventListener("copy", function () { pending.copies += 1; });
  document.addEventListener("paste", function () { pending.pastes += 1; });
  form.addEventListener("focusin", function (event) {
    var fieldset = event.target.closest("fieldset[data-question]");
    if (fieldset) {
      current = fieldset.dataset.question;
    }
  });
  window.setInterval(function () {
    if (current && document.visibilityState === "visible" && document.hasFocus()) {
      seconds[current] = (seconds[current] || 0) + 1;
    }
  }, 1000);

  function payload() {
    var data = new FormData(form);
    data.delete("action");
    data.set("seq", String(nextSeq()));
    var sent = { counters: {}, seconds: {} };
    Object.keys(pending).forEach(function (name) {
      sent.counters[name] = pending[name];
      data.set(name, String(pending[name]));
    });
    Object.keys(seconds).forEach(function (questionId) {
      sent.seconds[questionId] = seconds[questionId];
      data.set("t_" + questionId, String(seconds[questionId]));
    });
    return { data: data, sent: sent };
  }

  function acknowledge(sent) {
    Object.keys(sent.counters).forEach(function (name) { pending[name] -= sent.counters[name]; });
    Object.keys(sent.seconds).forEach(function (questionId) {
      seconds[questionId] -= sent.seconds[questionId];
    });
  }

  // --- background save ------------------------------------------------------------------
  var timer = null;
  var inFlight = false;
  var again = false;
  var staleOnce = false;

  function save(options) {
    if (submitting) {
      return;
    }
    var body = payload();
    if (options && options.beacon && navigator.sendBeacon) {
      if (navigator.sendBeacon(form.dataset.autosaveUrl, body.data)) {
        acknowledge(body.sent);
      }
      return;
    }
    if (inFlight) {
      again = true;
      return;
    }
    inFlight = true;
    var resync = options && options.resync;
    say(form.dataset.msgSaving);
    fetch(form.dataset.autosaveUrl, {
      method: "POST",
      body: body.data,
      credentials: "same-origin",
      headers: { "X-Requested-With": "fetch" },
    })
      .then(function (response) {
        return response.json().then(function (json) {
          if (response.status === 409 && json.result_url) {
            submitting = true;
            window.location.assign(json.result_url);
            return;
          }
          if (!response.ok) {
            throw new Error(json.error || response.statusText);
          }
          acknowledge(body.sent);
          if (json.stale) {
            // Another tab or device saved with a higher number: continue after it and
            // send once more, so what this page shows is saved as the newest state.
            lastSeq = Math.max(lastSeq, json.seq || 0);
            if (!resync) {
              staleOnce = true;
              return;
            }
            say(form.dataset.msgStale);
            return;
          }
          say(form.dataset.msgSaved);
        });
      })
      .catch(function () {
        say(form.dataset.msgOffline);
        window.clearTimeout(timer);
        timer = window.setTimeout(save, 5000);
      })
      .then(function () {
        inFlight = false;
        if (staleOnce) {
          staleOnce = false;
          again = false;
          save({ resync: true });
        } else if (again) {
          again = false;
          save();
        }
      });
  }

  form.addEventListener("change", function (event) {
    var fieldset = event.target.closest("fieldset[data-question]");
    if (fieldset) {
      current = fieldset.dataset.question;
    }
    window.clearTimeout(timer);
    timer = window.setTimeout(save, 300);
  });
  // Signals and time spent are reported every 20 s even when no answer changes.
  window.setInterval(function () {
    var busy = Object.keys(pending).some(function (name) { return pending[name] > 0; }) ||
      Object.keys(seconds).some(function (id) { return seconds[id] > 0; });
    if (busy) {
      save();
    }
  }, 20000);

  // A normal post (navigation, save, submit) carries the newest sequence number too.
  form.addEventListener("submit", function () {
    submitting = true;
    seqInput.value = String(nextSeq());
  });

  // --- countdown ------------------------------------------------------------------------
  var clock = document.querySelector("[data-remaining-seconds]");
  if (clock) {
    var announcement = document.getElementById("timer-announcement");
    var endsAt = Date.now() + parseInt(clock.dataset.remainingSeconds, 10) * 1000;
    var announced = {};
    var format = function (total) {
      var h = Math.floor(total / 3600);
      var m = Math.floor((total % 3600) / 60);
      var s = total % 60;
      var mm = h ? String(m).padStart(2, "0") : String(m);
      return (h ? h + ":" : "") + mm + ":" + String(s).padStart(2, "0");
    };
    var announce = function (key, message) {
      if (!announced[key] && announcement) {
        announced[key] = true;
        announcement.textContent = message;
      }
    };
    var finish = function () {
      if (submitting) {
        return;
      }
      announce("up", form.dataset.msgTimeUp);
      var action = document.createElement("input");
      action.type = "hidden";
      action.name = "action";
      action.value = "finish";
      form.appendChild(action);
      form.querySelectorAll('button[name="action"], button[name="goto"]').forEach(function (b) {
        b.disabled = true;
      });
      submitting = true;
      seqInput.value = String(nextSeq());
      form.submit();
    };
    var tick = function () {
      var left = Math.max(0, Math.round((endsAt - Date.now()) / 1000));
      clock.textContent = format(left);
      if (left <= 300 && left > 60) {
        announce("five", form.dataset.msgFiveMinutes);
      } else if (left <= 60 && left > 0) {
        announce("one", form.dataset.msgMinute);
        clock.parentElement.classList.replace("text-bg-light", "text-bg-warning");
      }
      if (left <= 0) {
        finish();
        return;
      }
      window.setTimeout(tick, 1000 - ((endsAt - Date.now()) % 1000 + 1000) % 1000 || 1000);
    };
    tick();
  }
})();
