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
    for (var i = 0; i < cards.length; i++) { this.cards.push(cards[i]); this.place(cards[i]); }
  };

  var grid = document.querySelector("main > .grid[data-masonry]");
  var masonry = grid ? new Masonry(grid) : null;
  document.querySelectorAll(".related .grid[data-masonry]").forEach(function (g) { new Masonry(g); });

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
})();
