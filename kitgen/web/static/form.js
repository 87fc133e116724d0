// Progressive enhancement of the kit form: the chosen country's languages come first.
(function () {
  "use strict";
  var country = document.getElementById("f-country");
  var language = document.getElementById("f-language");
  var all = document.getElementById("all-languages");
  var form = document.getElementById("kit-form");
  // Kept from a submitted form, or the page's own language when the country speaks it.
  var chosenByPerson = language.dataset.chosen === "1";
  var strings = JSON.parse(document.getElementById("ui-strings").textContent || "{}");
  var names = {};
  Array.prototype.forEach.call(all.querySelectorAll("option"), function (o) {
    names[o.value] = o.textContent;
  });

  function reorder() {
    var current = language.value;
    var old = document.getElementById("country-languages");
    if (old) old.remove();
    language.value = current;  // the same language, now from the full list
    var selected = country.options[country.selectedIndex];
    var codes = selected && selected.dataset.languages ? selected.dataset.languages.split(",") : [];
    if (!codes.length) return;
    var group = document.createElement("optgroup");
    group.id = "country-languages";
    group.label = String(strings.languagesOf || "%(country)s")
      .replace("%(country)s", selected.textContent);
    codes.forEach(function (code) {
      var option = document.createElement("option");
      option.value = code;
      option.textContent = names[code] || code;
      group.appendChild(option);
    });
    language.insertBefore(group, all);
    if (!chosenByPerson && codes.indexOf(current) < 0) language.value = codes[0];
  }
  language.addEventListener("change", function () { chosenByPerson = true; });
  // After a refused submit, the summary of what to correct is where focus starts.
  var summary = document.getElementById("form-errors");
  if (summary) summary.focus();
  country.addEventListener("change", reorder);
  reorder();
  form.addEventListener("submit", function () {
    var button = document.getElementById("submit");
    button.disabled = true;
    button.textContent = strings.sending || "…";
  });
})();
