// The attempt page: background saves, the countdown, the answered count, the confirmation
// before submitting and integrity signals.
// Everything here is an enhancement: without JavaScript the form posts normally (and the
// Submit button leads to a confirmation page).
(function () {
  "use strict";

  var form = document.getElementById("attempt-form");
  if (!form || !window.fetch || !window.FormData) {
    return;
  }
  var status = form.querySelector(".save-status");
  var seqInput = form.querySelector('input[name="seq"]');
  var lastSeq = parseInt(form.dataset.seq, 10) || 0;
  // Set once this page posts the form or reloads: it saves nothing more by itself.
  var submitting = false;
  // Set while the page is being unloaded (reload, navigation, closing the tab).
  var leaving = false;

  // A save's number grows with time, so the newest save wins even across tabs and
  // reloads; the server drops any save whose number is not above the last accepted.
  // The time is the server's (sent with the page) plus the time elapsed here: the
  // computer's own clock may be far off, and the server refuses numbers far ahead.
  var serverNow = parseInt(form.dataset.now, 10) || Date.now();
  var loadedAt = performance.now();
  // Numbers this page sent: a stale answer naming one of them is this page's own later
  // save (a background save sent while another was on its way), not another tab's.
  var ownSeqs = {};
  function nextSeq() {
    lastSeq = Math.max(lastSeq + 1, serverNow + Math.floor(performance.now() - loadedAt));
    ownSeqs[lastSeq] = true;
    return lastSeq;
  }

  function say(message) {
    if (status) {
      status.textContent = message || "";
    }
  }

  var questions = Array.prototype.slice.call(form.querySelectorAll("fieldset[data-question]"));
  var navigatorButtons = Array.prototype.slice.call(form.querySelectorAll('button[name="goto"]'));

  function hasAnswer(fieldset) {
    return Boolean(fieldset.querySelector("input:checked"));
  }

  // Every question of the attempt: on this page (from its inputs) or, in paged mode, on
  // other pages (from the navigator, which the server marks when the page is loaded).
  function questionItems() {
    if (!navigatorButtons.length) {
      return questions.map(function (fieldset) {
        return { number: fieldset.dataset.number, answered: hasAnswer(fieldset), fieldset: fieldset };
      });
    }
    return navigatorButtons.map(function (button) {
      var here = button.getAttribute("aria-current") === "step" && questions.length ? questions[0] : null;
      return {
        number: button.value,
        answered: here ? hasAnswer(here) : button.dataset.answered === "true",
        fieldset: here,
        button: button,
      };
    });
  }

  // --- the answered count in the bar -----------------------------------------------------
  var progress = document.querySelector(".answered-progress");
  function answeredText(items) {
    var answered = items.filter(function (item) { return item.answered; }).length;
    return progress.dataset.template.replace("{answered}", String(answered));
  }
  function showProgress() {
    if (progress) {
      progress.textContent = answeredText(questionItems());
    }
  }

  // --- a stale save: another tab saved later ------------------------------------------------
  var staleKey = "quizzes.stale:" + form.dataset.autosaveUrl;
  function remember(key, value) {
    try {
      if (value) {
        window.sessionStorage.setItem(key, value);
      } else {
        window.sessionStorage.removeItem(key);
      }
    } catch (error) {
      // Storage may be off; the page then just reloads without the notice.
    }
  }
  function recalled(key) {
    try {
      return window.sessionStorage.getItem(key);
    } catch (error) {
      return null;
    }
  }
  if (recalled(staleKey)) {
    remember(staleKey, null);
    // Said after a moment, so screen readers hear it as a change of the status line.
    window.setTimeout(function () { say(form.dataset.msgStale); }, 300);
  }
  function showNewerAnswers() {
    // This page's answers are older than what another tab or device saved: showing the
    // newer ones beats overwriting them. Nothing more is saved from this page.
    submitting = true;
    say(form.dataset.msgStale);
    remember(staleKey, "1");
    window.location.reload();
  }

  // --- integrity signals (deltas since the last successful report) ---------------------
  var pending = { focus_lost: 0, hidden: 0, copies: 0, pastes: 0 };
  var seconds = {};

  window.addEventListener("blur", function () { pending.focus_lost += 1; });
  // Reloading, moving between the test's pages, submitting or closing the tab unloads the
  // page: it is hidden then too, but that is the candidate's own navigation, not looking
  // elsewhere. pagehide (and beforeunload) come before that visibilitychange.
  window.addEventListener("beforeunload", function () { leaving = true; });
  window.addEventListener("pagehide", function () { leaving = true; });
  window.addEventListener("pageshow", function (event) {
    if (event.persisted) {
      leaving = false;
    }
  });
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") {
      if (!leaving && !submitting) {
        pending.hidden += 1;
      }
      save({ beacon: true });
    }
  });
  document.addEventListener("copy", function () { pending.copies += 1; });
  document.addEventListener("paste", function () { pending.pastes += 1; });

  // Time counts for the question in view: of those on screen, the one taking up most of
  // it, or the one being answered if it is at least half as much in view.
  var inView = [];
  if (questions.length > 1 && "IntersectionObserver" in window) {
    var observer = new IntersectionObserver(function (entries) {
      entries.forEach(function (entry) {
        var index = inView.indexOf(entry.target);
        if (entry.isIntersecting && index < 0) {
          inView.push(entry.target);
        } else if (!entry.isIntersecting && index >= 0) {
          inView.splice(index, 1);
        }
      });
    });
    questions.forEach(function (fieldset) { observer.observe(fieldset); });
  } else {
    inView = questions;
  }
  var bar = document.getElementById("attempt-bar");
  function questionInView() {
    if (questions.length === 1) {
      return questions[0];
    }
    var top = bar ? Math.max(0, bar.getBoundingClientRect().bottom) : 0;
    var bottom = window.innerHeight;
    var active = document.activeElement;
    var answering = active && active.closest ? active.closest("fieldset[data-question]") : null;
    var best = null;
    var bestShown = 0;
    var answeringShown = 0;
    inView.forEach(function (fieldset) {
      var box = fieldset.getBoundingClientRect();
      var shown = Math.min(box.bottom, bottom) - Math.max(box.top, top);
      if (shown > bestShown) {
        best = fieldset;
        bestShown = shown;
      }
      if (fieldset === answering) {
        answeringShown = shown;
      }
    });
    if (answering && answeringShown > 0 && answeringShown * 2 >= bestShown) {
      return answering;
    }
    return best;
  }
  window.setInterval(function () {
    if (document.visibilityState !== "visible" || !document.hasFocus()) {
      return;
    }
    var fieldset = questionInView();
    if (fieldset) {
      var token = fieldset.dataset.question;
      seconds[token] = (seconds[token] || 0) + 1;
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
          if (json.stale && !ownSeqs[json.seq]) {
            showNewerAnswers();
            return;
          }
          lastSeq = Math.max(lastSeq, json.seq || 0);
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
        if (again) {
          again = false;
          save();
        }
      });
  }

  form.addEventListener("change", function () {
    showProgress();
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
    leaving = true;
    seqInput.value = String(nextSeq());
  });

  // --- confirmation before submitting ------------------------------------------------------
  var dialog = document.getElementById("confirm-submit");

  function goTo(item) {
    dialog.close();
    if (item.fieldset) {
      item.fieldset.scrollIntoView({ block: "start" });
      var input = item.fieldset.querySelector("input");
      if (input) {
        input.focus({ preventScroll: true });
      }
    } else {
      item.button.click(); // the navigator's button saves this page and goes there
    }
  }

  function unansweredLink(item) {
    var link = document.createElement("a");
    link.textContent = dialog.dataset.questionLabel.replace("{number}", String(item.number));
    link.href = item.fieldset ? "#" + item.fieldset.id : "?q=" + item.number;
    link.addEventListener("click", function (event) {
      event.preventDefault();
      goTo(item);
    });
    var entry = document.createElement("li");
    entry.appendChild(link);
    return entry;
  }

  function confirmSubmit() {
    var items = questionItems();
    var missing = items.filter(function (item) { return !item.answered; });
    dialog.querySelector(".confirm-answered").textContent = progress ? answeredText(items) : "";
    var list = dialog.querySelector(".unanswered-links");
    list.textContent = "";
    missing.forEach(function (item) { list.appendChild(unansweredLink(item)); });
    dialog.querySelector(".confirm-unanswered").hidden = missing.length === 0;
    dialog.showModal();
    // The way back is the safe default: submitting cannot be undone.
    dialog.querySelector(".confirm-back").focus();
  }

  if (dialog && typeof dialog.showModal === "function") {
    form.querySelectorAll('button[name="action"][value="submit"]').forEach(function (button) {
      button.addEventListener("click", function (event) {
        event.preventDefault();
        confirmSubmit();
      });
    });
    dialog.querySelector(".confirm-back").addEventListener("click", function () {
      dialog.close();
    });
  }

  // --- countdown ------------------------------------------------------------------------
  var clock = document.querySelector("[data-remaining-seconds]");
  if (clock) {
    var announcement = document.getElementById("timer-announcement");
    var remainingMs = parseInt(clock.dataset.remainingMs, 10);
    if (isNaN(remainingMs)) {
      remainingMs = parseInt(clock.dataset.remainingSeconds, 10) * 1000;
    }
    // The server's remaining milliseconds from now: the page reaches zero only once the
    // deadline has passed, so the submit it sends then is recorded as time running out.
    // (A tenth of a second more covers this computer's clock ticking in whole milliseconds.)
    var endsAt = Date.now() + remainingMs + 100;
    var secondsLeft = function () {
      return Math.max(0, Math.ceil((endsAt - Date.now()) / 1000));
    };
    var atStart = secondsLeft();
    var announced = {};
    var format = function (total) {
      var h = Math.floor(total / 3600);
      var m = Math.floor((total % 3600) / 60);
      var s = total % 60;
      var mm = h ? String(m).padStart(2, "0") : String(m);
      return (h ? h + ":" : "") + mm + ":" + String(s).padStart(2, "0");
    };
    // The time in words for screen readers ("4 minutes 30 seconds"; whole minutes from
    // five minutes up), in the page's language with its plural forms.
    var spoken = function (total) {
      var language = document.documentElement.lang || "en";
      var h = Math.floor(total / 3600);
      var m = Math.floor((total % 3600) / 60);
      var s = total % 60;
      if (total >= 300) {
        var minutes = Math.round(total / 60);
        h = Math.floor(minutes / 60);
        m = minutes % 60;
        s = 0;
      }
      try {
        var unit = function (value, name) {
          return new Intl.NumberFormat(language, {
            style: "unit", unit: name, unitDisplay: "long",
          }).format(value);
        };
        var parts = [];
        if (h) { parts.push(unit(h, "hour")); }
        if (m) { parts.push(unit(m, "minute")); }
        if (s || !parts.length) { parts.push(unit(s, "second")); }
        return parts.join(" ");
      } catch (error) {
        return format(total);
      }
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
      leaving = true;
      seqInput.value = String(nextSeq());
      form.submit();
    };
    var tick = function () {
      var ms = endsAt - Date.now();
      var left = secondsLeft();
      clock.textContent = format(left);
      // A threshold is announced only when the countdown crosses it: a two-minute test
      // never hears "five minutes left".
      if (atStart > 300 && left <= 300 && left > 60) {
        announce("five", form.dataset.msgFiveMinutes);
      } else if (atStart > 60 && left <= 60 && left > 0) {
        announce("one", form.dataset.msgMinute);
      }
      if (left <= 60) {
        clock.parentElement.classList.replace("text-bg-light", "text-bg-warning");
      }
      if (ms <= 0) {
        finish();
        return;
      }
      // Just after the shown second changes (a timer may fire a little early).
      window.setTimeout(tick, ((ms - 1) % 1000) + 1 + 5);
    };
    tick();
    // The true time left, once the page has settled (a live region's first text may go
    // unheard while the page loads).
    window.setTimeout(function () {
      var left = secondsLeft();
      if (left > 0 && !announced.five && !announced.one) {
        announce("start", form.dataset.msgTimeLeft.replace("{time}", spoken(left)));
      }
    }, 1000);
  }

  showProgress();
})();
