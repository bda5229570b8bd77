// Search as you type: the same GET form the page works with, asked for its results only.
// Without this script the forms work as they are (press Enter).
(function () {
  "use strict";
  document.querySelectorAll("form[data-live]").forEach(function (form) {
    var input = form.querySelector("input[type=search]");
    var target = document.getElementById(form.getAttribute("data-live"));
    if (!input || !target) { return; }
    var timer = null;
    var asked = 0;
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        var params = new URLSearchParams(new FormData(form));
        params.set("partial", "1");
        var mine = ++asked;
        fetch(form.getAttribute("action") + "?" + params.toString(), {
          credentials: "same-origin",
          headers: { "Accept": "text/html" }
        }).then(function (r) { return r.ok ? r.text() : null; })
          .then(function (html) {
            if (html !== null && mine === asked) { target.innerHTML = html; }
          })
          .catch(function () { /* the form still works with Enter */ });
      }, 150);
    });
  });
})();
