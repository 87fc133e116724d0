// Follows a kit's render without reloading: per-document states, then the download links.
(function () {
  "use strict";
  var section = document.getElementById("kit");
  var url = section.dataset.statusUrl;
  var strings = JSON.parse(document.getElementById("ui-strings").textContent || "{}");
  var labels = strings.kinds || {};
  var states = strings.states || {};

  function fill(text, values) {  // "%(name)s" placeholders, as the page catalog writes them
    return String(text).replace(/%\((\w+)\)s/g, function (_, name) { return values[name]; });
  }

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function showDocuments(documents) {
    var list = document.getElementById("documents");
    Object.keys(documents).forEach(function (kind) {
      var item = list.querySelector('li[data-kind="' + kind + '"]');
      if (!item) {
        item = el("li", {"data-kind": kind});
        item.appendChild(el("span", {"class": "name"}, labels[kind] || kind));
        item.appendChild(document.createTextNode(" "));
        item.appendChild(el("span", {"class": "state"}));
        list.appendChild(item);
      }
      item.dataset.state = documents[kind];
      item.querySelector(".state").textContent = states[documents[kind]] || documents[kind];
    });
  }

  function showDownloads(kit) {
    var box = document.getElementById("downloads");
    box.textContent = "";
    box.appendChild(el("h2", {}, strings.download || "Download"));
    var list = el("ul", {"class": "files"});
    kit.downloads.forEach(function (file) {
      var item = el("li");
      item.appendChild(el("a", {"class": "file", href: file.url, download: file.filename,
                                "data-name": file.name}, file.label));
      item.appendChild(document.createTextNode(" "));
      item.appendChild(el("span", {"class": "filename", dir: "ltr"}, file.filename));
      list.appendChild(item);
    });
    box.appendChild(list);
    var previews = el("div", {"class": "previews"});
    (kit.documents_info || []).forEach(function (doc) {
      var figure = el("figure");
      var link = el("a", {href: "/kits/" + kit.key + "/files/" + doc.kind + ".pdf"});
      link.appendChild(el("img", {src: kit.previews[doc.kind],
                                  alt: fill(strings.firstPage, {title: doc.title}),
                                  width: "180"}));
      figure.appendChild(link);
      var caption = el("figcaption");
      caption.appendChild(el("span", {lang: doc.lang, dir: doc.dir}, doc.title));
      caption.appendChild(document.createTextNode(" · " + fill(strings.pages, {count: doc.pages})));
      figure.appendChild(caption);
      previews.appendChild(figure);
    });
    box.appendChild(previews);
    (kit.language_notes || []).forEach(function (note) {
      box.appendChild(el("p", {"class": "hint language-note"}, note));
    });
    box.hidden = false;
  }

  function poll() {
    fetch(url, {headers: {Accept: "application/json"}}).then(function (response) {
      return response.json().then(function (kit) { return {ok: response.ok, kit: kit}; });
    }).then(function (result) {
      var kit = result.kit;
      if (!result.ok) { fail(kit.error || strings.noAnswer); return; }
      section.dataset.state = kit.state;
      showDocuments(kit.documents);
      var notice = document.getElementById("kit-notice");
      notice.textContent = kit.notice || "";
      notice.hidden = !kit.notice;
      if (kit.state === "done" && !(kit.downloads || []).length) {
        setTimeout(poll, 400);  // published, its files not yet listed: ask again
      } else if (kit.state === "done") {
        document.getElementById("kit-heading").textContent = strings.ready;
        showDownloads(kit);
      } else if (kit.state === "failed") {
        fail(kit.error);
      } else {
        setTimeout(poll, 400);
      }
    }).catch(function () { setTimeout(poll, 2000); });
  }

  function fail(message) {
    section.dataset.state = "failed";
    document.getElementById("kit-heading").textContent = strings.failed;
    var error = document.getElementById("kit-error");
    error.textContent = message;
    error.hidden = false;
  }

  setTimeout(poll, 300);
})();
