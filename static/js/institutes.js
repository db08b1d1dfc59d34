// Search-as-you-type for long <select> lists (the agency registry). Without JavaScript the
// plain select still works: this only adds a filter box above it.
(function () {
  "use strict";
  function enhance(select) {
    var input = document.createElement("input");
    input.type = "search";
    input.className = "form-control mb-1";
    input.setAttribute("aria-label", "Type to narrow the list of agencies");
    input.placeholder = "Type to search agencies";
    var options = Array.prototype.slice.call(select.options);
    input.addEventListener("input", function () {
      var term = input.value.trim().toLowerCase();
      options.forEach(function (option) {
        option.hidden = option.value !== "" && term !== "" && option.text.toLowerCase().indexOf(term) === -1;
      });
    });
    select.parentNode.insertBefore(input, select);
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("select[name=agency]:not([disabled])").forEach(enhance);
  });
})();
