// The console's stylesheet and script, embedded in the binary: no CDN, no build step.

/// The static files under `/assets/`.
enum ConsoleAssets {
    static let files: [String: (type: String, body: String)] = [
        "console.css": ("text/css; charset=utf-8", css),
        "console.js": ("text/javascript; charset=utf-8", js),
    ]

    static let css = """
        *{box-sizing:border-box}body{margin:0;font:16px/1.45 system-ui,sans-serif;color:#1d232a;background:#f6f7f9}
        header{background:#1d3557;color:#fff;padding:.5rem 1rem}header a{color:#fff;margin-right:.8rem}
        nav{display:flex;flex-wrap:wrap;align-items:center;gap:.3rem}nav strong{margin-right:1rem}
        .inline{display:inline;margin-left:auto}.who{opacity:.8;margin-right:.5rem}
        main{max-width:70rem;margin:0 auto;padding:1rem}h1{font-size:1.5rem}
        table{width:100%;border-collapse:collapse;background:#fff;display:block;overflow-x:auto}
        th,td{text-align:left;padding:.35rem .5rem;border-bottom:1px solid #e3e6ea;white-space:nowrap}
        .card{background:#fff;padding:1rem;border-radius:6px;box-shadow:0 1px 2px #0002;margin:.5rem 0}
        label{display:block;margin:.4rem 0}input,select,textarea,button{font:inherit;padding:.3rem .5rem;max-width:100%}
        textarea{width:100%}button{cursor:pointer}.danger{background:#b3261e;color:#fff;border:0;border-radius:4px}
        .error{background:#fde8e8;border-left:4px solid #b3261e;padding:.5rem 1rem}
        .notice{background:#e8f4fd;border-left:4px solid #1d3557;padding:.5rem 1rem}.muted{color:#5b6570}
        .counts{display:flex;flex-wrap:wrap;gap:.5rem}.count{background:#fff;padding:.5rem 1rem;border-radius:6px}
        .count .n{font-size:1.6rem;font-weight:600;display:block}.filters{display:flex;flex-wrap:wrap;gap:.4rem;margin-bottom:.5rem}
        .actions{display:flex;flex-wrap:wrap;gap:1rem;align-items:end}.timeline li{margin:.6rem 0}
        dl{display:grid;grid-template-columns:max-content 1fr;gap:.2rem 1rem}dd{margin:0}
        blockquote{margin:.3rem 0;padding:.3rem .8rem;background:#fff;border-left:3px solid #9aa5b1}
        .chart svg{max-width:100%;height:auto;background:#fff}
        """

    static let js = """
        "use strict";
        (function () {
          try {
            var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
            if (zone) document.cookie = "tb_zone=" + encodeURIComponent(zone) + "; path=/; max-age=31536000; SameSite=Strict";
          } catch (e) {}
        })();
        document.addEventListener("DOMContentLoaded", function () {
          var file = document.getElementById("csv-file");
          if (file) file.addEventListener("change", function () {
            var chosen = file.files[0];
            if (!chosen) return;
            var reader = new FileReader();
            reader.onload = function () {
              document.getElementById("csv").value = reader.result;
              document.getElementById("csv-name").value = chosen.name;
              file.dataset.loaded = chosen.name;
            };
            reader.readAsText(chosen);
          });
          document.querySelectorAll("textarea[data-preview]").forEach(function (area) {
            var timer = null;
            area.addEventListener("input", function () {
              clearTimeout(timer);
              timer = setTimeout(function () {
                var form = area.form, body = new URLSearchParams(new FormData(form));
                fetch("/messages/preview", {method: "POST", body: body, credentials: "same-origin"})
                  .then(function (r) { return r.text().then(function (t) { return [r.ok, t]; }); })
                  .then(function (result) {
                    var box = document.getElementById(area.dataset.preview);
                    box.textContent = result[1];
                    box.className = result[0] ? "" : "error";
                  });
              }, 300);
            });
          });
          document.querySelectorAll("button[data-hear]").forEach(function (button) {
            button.addEventListener("click", function () {
              var step = button.dataset.hear, body = new URLSearchParams(new FormData(button.form));
              var audio = document.getElementById("audio-" + step), voice = document.getElementById("voice-" + step);
              button.disabled = true; voice.textContent = "speaking…"; voice.className = "muted";
              fetch("/messages/preview.wav", {method: "POST", body: body, credentials: "same-origin"})
                .then(function (r) {
                  if (!r.ok) return r.text().then(function (t) { throw new Error(t); });
                  var spoke = r.headers.get("X-Voice");
                  return r.blob().then(function (blob) {
                    if (audio.src) URL.revokeObjectURL(audio.src);
                    audio.src = URL.createObjectURL(blob); audio.hidden = false; audio.play().catch(function () {});
                    voice.textContent = "spoken by " + spoke;
                  });
                })
                .catch(function (error) { voice.textContent = error.message; voice.className = "error"; })
                .then(function () { button.disabled = false; });
            });
          });
          var live = document.getElementById("live");
          if (live && window.EventSource) {
            var source = new EventSource(live.dataset.events);
            source.addEventListener("today", function (event) {
              var today = JSON.parse(event.data), box = document.getElementById("counts"), rows = document.getElementById("calls");
              box.textContent = "";
              Object.keys(today.counts).sort().forEach(function (outcome) {
                var div = document.createElement("div"), n = document.createElement("span");
                div.className = "count"; n.className = "n"; n.textContent = today.counts[outcome];
                div.appendChild(n); div.appendChild(document.createTextNode(" " + outcome));
                box.appendChild(div);
              });
              rows.textContent = "";
              today.calls.forEach(function (call) {
                var tr = document.createElement("tr");
                ["started", "contactName", "step", "outcome", "nextCall", "promise"].forEach(function (key) {
                  var td = document.createElement("td");
                  if (key === "contactName") {
                    var link = document.createElement("a");
                    link.href = "/contacts/" + Number(call.contactID); link.textContent = call.contactName;
                    td.appendChild(link);
                  } else {
                    td.textContent = call[key];
                  }
                  tr.appendChild(td);
                });
                rows.appendChild(tr);
              });
              live.dataset.updated = String(Date.now());
            });
          }
        });
        """
}
