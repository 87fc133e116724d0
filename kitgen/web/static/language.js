// The page-language picker changes the page as soon as a language is chosen.
(function () {
  "use strict";
  var select = document.getElementById("ui-lang");
  if (!select) return;
  var button = select.form.querySelector("button");
  if (button) button.hidden = true;
  select.addEventListener("change", function () { select.form.submit(); });
})();
