// The plan form shows both the in-person and the online fields; with JavaScript, only the ones
// for the chosen format stay visible (a hidden field keeps its value and is still sent).
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var radios = document.querySelectorAll("input[name=format]");
    var groups = document.querySelectorAll("fieldset[data-format]");
    if (!radios.length || !groups.length) {
      return;
    }
    function show() {
      var chosen = document.querySelector("input[name=format]:checked");
      groups.forEach(function (group) {
        group.hidden = chosen !== null && group.getAttribute("data-format") !== chosen.value;
      });
    }
    radios.forEach(function (radio) {
      radio.addEventListener("change", show);
    });
    show();
  });
})();
