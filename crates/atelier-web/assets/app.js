// Atelier: progressive enhancement only. Every page works without this file.
(function () {
  "use strict";

  // Language select: submit on change, hide the button.
  document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
    var form = select.form;
    var button = form && form.querySelector(".lang-go");
    if (button) button.hidden = true;
    select.addEventListener("change", function () { form.submit(); });
  });

  // The phone menu (a <details>) closes on a click elsewhere or Escape.
  document.querySelectorAll("details.menu").forEach(function (menu) {
    document.addEventListener("click", function (e) { if (menu.open && !menu.contains(e.target)) menu.open = false; });
    document.addEventListener("keydown", function (e) {
      if (e.key === "Escape" && menu.open) { menu.open = false; menu.querySelector("summary").focus(); }
    });
  });

  // Times: the server writes UTC; show the reader's local time in the page's language.
  if (window.Intl && Intl.DateTimeFormat) {
    var timeFormat;
    try {
      timeFormat = new Intl.DateTimeFormat(document.documentElement.lang || undefined, { dateStyle: "medium", timeStyle: "short" });
    } catch (e) { timeFormat = null; }
    if (timeFormat) {
      document.querySelectorAll("time[data-local]").forEach(function (node) {
        var when = new Date(node.getAttribute("datetime"));
        if (!isNaN(when.getTime())) {
          node.title = node.textContent;
          node.textContent = timeFormat.format(when);
        }
      });
    }
  }

  // Copy buttons (those that make sense only with a script start hidden).
  document.querySelectorAll("button[data-copy-target]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () {
      var target = document.getElementById(button.getAttribute("data-copy-target"));
      if (!target) return;
      var text = target.textContent;
      var label = button.textContent;
      function done(ok) {
        button.textContent = ok ? button.getAttribute("data-copied") : button.getAttribute("data-failed");
        button.classList.toggle("ok", ok);
        setTimeout(function () { button.textContent = label; button.classList.remove("ok"); }, 1800);
      }
      if (navigator.clipboard && navigator.clipboard.writeText) {
        navigator.clipboard.writeText(text).then(function () { done(true); }, function () { done(fallbackCopy(target)); });
      } else {
        done(fallbackCopy(target));
      }
    });
  });

  function fallbackCopy(node) {
    var range = document.createRange();
    range.selectNodeContents(node);
    var selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
    try { return document.execCommand("copy"); } catch (e) { return false; }
  }

  // Placeholders (issue 22): each image's dominant colour fills its frame until the image arrives.
  function paint(root) {
    root.querySelectorAll("[data-color]").forEach(function (node) {
      node.style.backgroundColor = node.getAttribute("data-color");
    });
  }
  paint(document);

  // Masonry: cards go into the shortest column; new cards never move old ones.
  function Masonry(grid) {
    this.grid = grid;
    this.cards = Array.prototype.slice.call(grid.querySelectorAll(".card"));
    this.columns = [];
    this.count = 0;
    grid.classList.add("masonry");
    this.layout();
    var self = this;
    var pending = false;
    window.addEventListener("resize", function () {
      if (pending) return;
      pending = true;
      requestAnimationFrame(function () { pending = false; if (self.columnCount() !== self.count) self.layout(); });
    });
  }
  // One column per 240 px, two to six; the cards' `sizes` (cards.html, board.html) follow this.
  Masonry.prototype.columnCount = function () {
    var width = this.grid.clientWidth;
    return Math.max(2, Math.min(6, Math.floor(width / 240)));
  };
  Masonry.prototype.layout = function () {
    this.count = this.columnCount();
    this.grid.textContent = "";
    this.columns = [];
    this.heights = [];
    for (var i = 0; i < this.count; i++) {
      var column = document.createElement("div");
      column.className = "masonry-col";
      this.grid.appendChild(column);
      this.columns.push(column);
      this.heights.push(0);
    }
    this.cards.forEach(this.place, this);
  };
  Masonry.prototype.place = function (card) {
    var img = card.querySelector("img");
    var ratio = img ? (img.getAttribute("height") / img.getAttribute("width")) || 1 : 1;
    var shortest = 0;
    for (var i = 1; i < this.heights.length; i++) if (this.heights[i] < this.heights[shortest]) shortest = i;
    this.columns[shortest].appendChild(card);
    this.heights[shortest] += ratio + 0.35;
  };
  Masonry.prototype.add = function (cards) {
    for (var i = 0; i < cards.length; i++) { paint(cards[i]); this.cards.push(cards[i]); this.place(cards[i]); }
  };

  var grid = document.querySelector("main > .grid[data-masonry]");
  var masonry = grid ? new Masonry(grid) : null;
  document.querySelectorAll(".related .grid[data-masonry], .records .grid[data-masonry]").forEach(function (g) { new Masonry(g); });

  // Hearts: a fetch to the JSON API and the heart flips in place; without a script (or when the
  // call fails) the form posts and the page comes back. Delegated, so cards loaded later work too.
  document.addEventListener("submit", function (e) {
    var form = e.target;
    if (!form.matches || !form.matches("form.fav[data-fav]") || !window.fetch) return;
    e.preventDefault();
    var id = form.getAttribute("data-fav");
    var on = form.querySelector("input[name='on']").value === "1";
    var button = form.querySelector("button");
    button.disabled = true;
    fetch("/api/v1/favorites/" + encodeURIComponent(id), { method: on ? "PUT" : "DELETE", credentials: "same-origin" })
      .then(function (r) {
        if (!r.ok) throw new Error("status " + r.status);
        document.querySelectorAll("form.fav[data-fav]").forEach(function (f) {
          if (f.getAttribute("data-fav") !== id) return;
          var b = f.querySelector("button");
          f.querySelector("input[name='on']").value = on ? "0" : "1";
          b.classList.toggle("on", on);
          b.setAttribute("aria-pressed", on ? "true" : "false");
          b.title = b.getAttribute(on ? "data-remove" : "data-add");
          var count = f.parentNode.querySelector("[data-fav-count]");
          if (count && /^\d+$/.test(count.textContent)) count.textContent = Math.max(0, parseInt(count.textContent, 10) + (on ? 1 : -1));
        });
        button.disabled = false;
      })
      .catch(function () { button.disabled = false; form.submit(); });
  });

  // Infinite scroll: fetch the next page's HTML and take its cards and its next link.
  var loading = false;
  function loadMore(link) {
    if (loading || !masonry) return;
    loading = true;
    var label = link.textContent;
    link.textContent = link.getAttribute("data-loading") || label;
    fetch(link.href, { credentials: "same-origin", headers: { "Accept": "text/html" } })
      .then(function (r) { if (!r.ok) throw new Error(r.status); return r.text(); })
      .then(function (html) {
        var doc = new DOMParser().parseFromString(html, "text/html");
        masonry.add(Array.prototype.slice.call(doc.querySelectorAll("main > .grid .card")).map(function (c) { return document.adoptNode(c); }));
        var next = doc.querySelector("a.next-page");
        loading = false;
        if (next) {
          link.href = next.getAttribute("href");
          link.textContent = label;
          requestAnimationFrame(function () {
            if (link.getBoundingClientRect().top < window.innerHeight + 800) loadMore(link);
          });
        } else {
          link.parentNode.remove();
        }
      })
      .catch(function () { link.textContent = label; loading = false; });
  }
  var nextLink = document.querySelector("a.next-page");
  if (nextLink && masonry && "IntersectionObserver" in window) {
    var observer = new IntersectionObserver(function (entries) {
      entries.forEach(function (entry) {
        if (entry.isIntersecting) {
          var link = document.querySelector("a.next-page");
          if (link) loadMore(link); else observer.disconnect();
        }
      });
    }, { rootMargin: "800px 0px" });
    observer.observe(nextLink.parentNode);
    nextLink.addEventListener("click", function (e) { e.preventDefault(); loadMore(nextLink); });
  }

  // Studio: the chosen model decides the aspects offered, the reference limit, the price and the
  // provider notice (U4); references upload in place; the button says it is starting.
  var studio = document.querySelector("form[data-studio]");
  if (studio) enhanceStudio(studio);

  function enhanceStudio(form) {
    var balance = parseInt(form.getAttribute("data-balance"), 10) || 0;
    var price = form.querySelector("[data-price]");
    var short = form.querySelector("[data-short]");
    var notice = form.querySelector("[data-notice-text]");
    var refsHint = form.querySelector("[data-refs-hint]");
    var aspects = form.querySelector("[data-aspects]");
    var grid = form.querySelector("[data-ref-grid]");
    var addTile = form.querySelector(".ref-add");
    var fileInput = form.querySelector("[data-upload-input]");
    var status = form.querySelector("[data-upload-status]");
    var prompt = form.querySelector("#prompt");
    var counter = form.querySelector("[data-counter]");
    var generate = form.querySelector("button.generate");

    function checked(name) { return form.querySelector("input[name='" + name + "']:checked"); }
    function model() { return checked("model") || form.querySelector("input[name='model']"); }
    function maxRefs() { return parseInt(model().getAttribute("data-model-max-refs"), 10) || 0; }

    function updatePrice() {
      var count = checked("count");
      var total = (parseInt(model().getAttribute("data-model-price"), 10) || 0) * (count ? parseInt(count.value, 10) : 1);
      var template = price.getAttribute(total === 1 ? "data-one" : "data-many");
      price.textContent = template.replace("{total}", total).replace("{balance}", balance);
      price.classList.toggle("short", total > balance);
      short.hidden = total <= balance;
    }

    function updateAspects() {
      var offered = (model().getAttribute("data-model-aspects") || "").split(" ").filter(Boolean);
      var pills = aspects.querySelectorAll(".pill");
      var shown = Array.prototype.map.call(pills, function (p) { return p.querySelector("input").value; });
      if (!pills.length || shown.join(" ") === offered.join(" ")) return;
      var current = checked("aspect");
      var keep = current && offered.indexOf(current.value) >= 0 ? current.value : offered[0];
      var template = pills[0].cloneNode(true);
      aspects.textContent = "";
      offered.forEach(function (value) {
        var pill = template.cloneNode(true);
        var input = pill.querySelector("input");
        input.value = value;
        input.checked = value === keep;
        pill.querySelector(".shape").className = "shape ar-" + value.replace(":", "-");
        pill.querySelector("span").lastChild.nodeValue = value;
        aspects.appendChild(pill);
      });
    }

    function updateRefs() {
      var max = maxRefs();
      var boxes = form.querySelectorAll("input[name='ref']");
      var ticked = 0;
      boxes.forEach(function (box) {
        if (box.checked && ++ticked > max) { box.checked = false; ticked = max; }
      });
      boxes.forEach(function (box) { box.disabled = !box.checked && ticked >= max; });
      refsHint.textContent = model().getAttribute("data-model-refs-hint");
    }

    form.addEventListener("change", function (e) {
      var name = e.target.name;
      if (name === "model") {
        updateAspects();
        updateRefs();
        notice.textContent = model().getAttribute("data-model-notice");
      }
      if (name === "model" || name === "count") updatePrice();
      if (name === "ref") updateRefs();
    });
    updateRefs();
    updatePrice();

    if (prompt && counter) {
      var limit = parseInt(prompt.getAttribute("maxlength"), 10);
      var shownCount = counter.querySelector("[data-count]");
      var count = function () {
        var n = Array.from(prompt.value).length;
        shownCount.textContent = n;
        counter.classList.toggle("near", n > limit * 0.9);
      };
      counter.hidden = false;
      prompt.addEventListener("input", count);
      count();
    }

    form.addEventListener("submit", function (e) {
      if (e.submitter && e.submitter.hasAttribute("formaction")) return;
      setTimeout(function () {
        generate.disabled = true;
        generate.textContent = generate.getAttribute("data-starting");
      }, 0);
    });
    window.addEventListener("pageshow", function () { generate.disabled = false; });

    if (!fileInput || !window.fetch || !window.FormData) return;
    var hint = status.textContent;
    fileInput.closest(".upload-row").classList.add("enhanced");
    fileInput.addEventListener("change", function () {
      if (fileInput.files && fileInput.files[0]) upload(fileInput.files[0]);
    });
    addTile.addEventListener("dragover", function (e) { e.preventDefault(); addTile.classList.add("drag"); });
    addTile.addEventListener("dragleave", function () { addTile.classList.remove("drag"); });
    addTile.addEventListener("drop", function (e) {
      e.preventDefault();
      addTile.classList.remove("drag");
      if (e.dataTransfer.files && e.dataTransfer.files[0]) upload(e.dataTransfer.files[0]);
    });

    function say(text, isError) {
      status.textContent = text;
      status.classList.toggle("error", Boolean(isError));
    }

    function refusal(res) {
      var code = res && res.body && res.body.error ? res.body.error.code : "";
      if ((res && res.status === 413) || code === "payload_too_large") return fileInput.getAttribute("data-err-too-large");
      if (code === "unsupported_image") return fileInput.getAttribute("data-err-unsupported");
      if (code === "malformed_image") return fileInput.getAttribute("data-err-malformed");
      if (code === "too_many_pixels") return fileInput.getAttribute("data-err-pixels");
      return fileInput.getAttribute("data-err-failed");
    }

    function upload(file) {
      var limit = parseInt(form.getAttribute("data-max-upload"), 10);
      if (limit && file.size > limit) {
        say(fileInput.getAttribute("data-err-too-large"), true);
        fileInput.value = "";
        return;
      }
      addTile.classList.add("busy");
      say(fileInput.getAttribute("data-uploading"));
      var body = new FormData();
      body.append("file", file);
      fetch("/api/v1/uploads", { method: "POST", body: body, credentials: "same-origin" })
        .then(function (r) {
          return r.json().then(
            function (json) { return { ok: r.ok, status: r.status, body: json }; },
            function () { return { ok: false, status: r.status, body: null }; });
        })
        .then(function (res) {
          if (!res.ok) throw res;
          addReference(res.body);
          say(hint);
        })
        .catch(function (res) { say(refusal(res), true); })
        .then(function () {
          addTile.classList.remove("busy");
          fileInput.value = "";
        });
    }

    function addReference(u) {
      var item = document.createElement("div");
      item.className = "ref-item";
      var label = document.createElement("label");
      label.className = "ref";
      var input = document.createElement("input");
      input.type = "checkbox";
      input.name = "ref";
      input.value = u.id;
      var img = document.createElement("img");
      img.src = u.preview_url;
      img.width = u.width;
      img.height = u.height;
      img.alt = fileInput.getAttribute("data-alt");
      var tick = document.createElement("span");
      tick.className = "ref-tick";
      tick.setAttribute("aria-hidden", "true");
      label.appendChild(input);
      label.appendChild(img);
      label.appendChild(tick);
      item.appendChild(label);
      var actions = document.createElement("div");
      actions.className = "ref-actions";
      var describe = document.createElement("button");
      describe.className = "ref-act";
      describe.type = "submit";
      describe.name = "upload_id";
      describe.value = u.id;
      describe.setAttribute("formaction", "/studio/describe");
      describe.setAttribute("formnovalidate", "");
      describe.setAttribute("data-describe", "");
      describe.title = grid.getAttribute("data-describe-title");
      describe.textContent = grid.getAttribute("data-describe-label");
      var edit = document.createElement("a");
      edit.className = "ref-act";
      edit.href = "/edit?upload=" + encodeURIComponent(u.id);
      edit.title = grid.getAttribute("data-edit-title");
      edit.textContent = grid.getAttribute("data-edit-label");
      actions.appendChild(describe);
      actions.appendChild(edit);
      item.appendChild(actions);
      grid.insertBefore(item, addTile.nextSibling);
      input.checked = form.querySelectorAll("input[name='ref']:checked").length < maxRefs();
      updateRefs();
    }
  }

  // The assistant in the studio (G4): "Enhance prompt" and "Describe" answer in place through the
  // JSON API; the suggestion sits beside the prompt as written until it is used or dismissed.
  // Without a script (or a fetch) the same buttons post the form and the studio comes back.
  if (studio && window.fetch) enhanceAssistant(studio);

  function enhanceAssistant(form) {
    var assist = form.querySelector("[data-assist]");
    var prompt = form.querySelector("#prompt");
    var panel = form.querySelector("[data-suggestion]");
    var errorBox = document.querySelector("[data-studio-error]");
    var flashBox = document.querySelector("[data-studio-flash]");
    if (!assist || !prompt || !panel || !errorBox || !flashBox) return;
    var enhanceButton = assist.querySelector("[data-enhance]");

    function showError(text) {
      flashBox.hidden = true;
      errorBox.textContent = text;
      errorBox.hidden = false;
      prompt.setAttribute("aria-errormessage", errorBox.id);
      errorBox.scrollIntoView({ block: "nearest" });
    }
    function showFlash(text) {
      errorBox.hidden = true;
      prompt.removeAttribute("aria-errormessage");
      flashBox.textContent = text;
      flashBox.hidden = false;
    }
    function clearNotes() {
      errorBox.hidden = true;
      flashBox.hidden = true;
      prompt.removeAttribute("aria-errormessage");
    }
    function setPrompt(text) {
      prompt.value = text;
      prompt.dispatchEvent(new Event("input", { bubbles: true }));
    }
    function refusal(res) {
      var error = res && res.body && res.body.error;
      var code = error ? error.code : "";
      if (code === "invalid_prompt") return assist.getAttribute("data-err-prompt");
      if ((res && res.status === 402) || code === "insufficient_credits") return assist.getAttribute("data-err-credits");
      if ((res && res.status === 404) || code === "not_found") return assist.getAttribute("data-err-upload");
      var reason = error && error.message ? error.message : "";
      return assist.getAttribute("data-err-failed").replace("{reason}", reason).replace(/\s+/g, " ");
    }
    function call(path, payload) {
      return fetch(path, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "Accept": "application/json" },
        body: JSON.stringify(payload),
      })
        .then(function (r) {
          return r.json().then(
            function (json) { return { ok: r.ok, status: r.status, body: json }; },
            function () { return { ok: false, status: r.status, body: null }; });
        })
        .then(function (res) { if (!res.ok) throw res; return res.body; });
    }

    if (enhanceButton) {
      enhanceButton.addEventListener("click", function (e) {
        e.preventDefault();
        if (!prompt.value.trim()) {
          showError(assist.getAttribute("data-err-prompt"));
          prompt.focus();
          return;
        }
        var label = enhanceButton.querySelector("[data-label]");
        var text = label.textContent;
        var original = prompt.value;
        enhanceButton.disabled = true;
        label.textContent = assist.getAttribute("data-enhancing");
        call("/api/v1/assistant/enhance", { prompt: original })
          .then(function (body) {
            clearNotes();
            panel.querySelector("[data-original]").textContent = original;
            panel.querySelector("[data-suggested]").textContent = body.prompt;
            panel.hidden = false;
            panel.querySelector("[data-accept]").focus();
          })
          .catch(function (res) { showError(refusal(res)); })
          .then(function () {
            enhanceButton.disabled = false;
            label.textContent = text;
          });
      });
    }
    panel.querySelector("[data-accept]").addEventListener("click", function (e) {
      e.preventDefault();
      setPrompt(panel.querySelector("[data-suggested]").textContent);
      panel.hidden = true;
      showFlash(assist.getAttribute("data-used"));
      prompt.focus();
    });
    panel.querySelector("[data-discard]").addEventListener("click", function (e) {
      e.preventDefault();
      panel.hidden = true;
      clearNotes();
      prompt.focus();
    });

    // Describe, on tiles rendered with the page and on those uploaded since.
    form.addEventListener("click", function (e) {
      var button = e.target.closest ? e.target.closest("button[data-describe]") : null;
      if (!button) return;
      e.preventDefault();
      var text = button.textContent;
      button.disabled = true;
      button.textContent = assist.getAttribute("data-describing");
      call("/api/v1/assistant/describe", { upload_id: button.value })
        .then(function (body) {
          setPrompt(body.prompt);
          panel.hidden = true;
          showFlash(assist.getAttribute("data-described"));
          prompt.focus();
        })
        .catch(function (res) { showError(refusal(res)); })
        .then(function () {
          button.disabled = false;
          button.textContent = text;
        });
    });
  }

  // AI Edit: an example fills the instruction (added to what is there) instead of reloading the
  // page; the button says it is starting.
  var editForm = document.querySelector("form[data-edit]");
  if (editForm) {
    var instruction = editForm.querySelector("#instruction");
    editForm.querySelectorAll("a[data-example]").forEach(function (link) {
      link.addEventListener("click", function (e) {
        e.preventDefault();
        var example = link.getAttribute("data-example");
        var current = instruction.value.trim();
        if (current.indexOf(example) < 0) instruction.value = current ? current + ", " + example : example;
        instruction.focus();
      });
    });
    var go = editForm.querySelector("button.generate");
    var goLabel = go.textContent;
    editForm.addEventListener("submit", function () {
      setTimeout(function () {
        go.disabled = true;
        go.textContent = go.getAttribute("data-starting");
      }, 0);
    });
    window.addEventListener("pageshow", function () {
      go.disabled = false;
      go.textContent = goLabel;
    });
  }

  // A generation in progress: ask for its state every 1.5 s and show the result when it ends.
  var poll = document.querySelector("[data-poll]");
  if (poll && window.fetch) {
    var record = document.querySelector(".record");
    var last = record ? record.getAttribute("data-status") : "";
    var check = function () {
      fetch(poll.getAttribute("data-poll"), { credentials: "same-origin", cache: "no-store", headers: { "Accept": "application/json" } })
        .then(function (r) {
          if (r.status === 404) return { status: "gone" };
          if (!r.ok) throw new Error(r.status);
          return r.json();
        })
        .then(function (g) {
          if (g.status !== "queued" && g.status !== "running") { location.reload(); return; }
          if (g.status !== last && g.status === "running") {
            last = g.status;
            var progress = poll.querySelector("[data-progress]");
            if (progress) progress.textContent = poll.getAttribute("data-running");
            var badge = document.querySelector(".status-line .status");
            if (badge) { badge.className = "status running"; badge.textContent = poll.getAttribute("data-running-label"); }
          }
          setTimeout(check, 1500);
        })
        .catch(function () { setTimeout(check, 4000); });
    };
    setTimeout(check, 1500);
  }
})();
