// The console's pages as Mustache templates, embedded in the binary. Every value is written
// with `{{ }}`, which HTML-escapes it; `{{{ }}}` is used only for markup the server drew itself
// (the report's SVG, built from numbers, and its tables, rendered from `reportCounts` once a count).

/// The templates by name, for ``ConsoleViews``.
enum ConsoleTemplates {
    static let all: [String: String] = [
        "header": header, "footer": footer, "login": login, "today": today, "contacts": contacts, "contact": contact,
        "import": importPage, "report": report, "reportCounts": reportCounts, "system": system, "messages": messages, "problem": problem,
    ]

    static let header = """
        <!doctype html>
        <html lang="en"><head><meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>{{title}} · TouchBase</title>
        <link rel="stylesheet" href="/assets/console.css">
        <script src="/assets/console.js" defer></script>
        </head><body>
        {{#session}}
        <header><nav>
        <strong>TouchBase</strong>
        <a href="/today">Today</a> <a href="/contacts">Contacts</a> <a href="/import">Import</a>
        <a href="/messages">Messages</a> <a href="/report">Report</a>{{#admin}} <a href="/system">System</a>{{/admin}}
        <form method="post" action="/logout" class="inline"><input type="hidden" name="csrf" value="{{csrf}}">
        <span class="who">{{account}} ({{role}})</span> <button id="logout" type="submit">Log out</button></form>
        </nav></header>
        {{/session}}
        <main>
        <h1>{{title}}</h1>
        {{#notice}}<p class="notice" id="notice">{{notice}}</p>{{/notice}}
        """

    static let footer = """
        </main></body></html>
        """

    static let login = """
        {{> header}}
        {{#error}}<p class="error" id="error">{{error}}</p>{{/error}}
        <form method="post" action="/login" class="card">
        <input type="hidden" name="csrf" value="{{loginToken}}">
        <label>Name <input name="name" id="name" autocomplete="username" required></label>
        <label>Password <input name="password" id="password" type="password" autocomplete="current-password" required></label>
        <button type="submit" id="login">Log in</button>
        </form>
        {{> footer}}
        """

    static let today = """
        {{> header}}
        <section class="counts" id="counts">
        {{#counts}}<div class="count"><span class="n" data-outcome="{{outcome}}">{{n}}</span> {{outcome}}</div>{{/counts}}
        {{^counts}}<p>No calls yet today.</p>{{/counts}}
        </section>
        <p class="muted" id="live" data-events="/today/events">Live: the counts and calls update as calls are placed and recorded. Times in <span id="zone">{{zone}}</span>.</p>
        <table><thead><tr><th>Started</th><th>Contact</th><th>Step</th><th>Outcome</th><th>Next call</th><th>Promise</th></tr></thead><tbody id="calls">
        {{#calls}}<tr><td>{{started}}</td><td><a href="/contacts/{{contactID}}">{{contactName}}</a></td><td>{{step}}</td>
        <td>{{outcome}}</td><td>{{nextCall}}</td><td>{{promise}}</td></tr>{{/calls}}
        </tbody></table>
        {{> footer}}
        """

    static let contacts = """
        {{> header}}
        <form method="get" action="/contacts" class="filters">
        <input name="q" placeholder="Name or number" value="{{q}}">
        <select name="phase"><option value="">any phase</option>{{#phases}}<option{{#selected}} selected{{/selected}}>{{name}}</option>{{/phases}}</select>
        {{#admin}}<input name="owner" placeholder="Owner" value="{{owner}}">{{/admin}}
        <input name="campaign" placeholder="Campaign" value="{{campaign}}">
        <button type="submit">Search</button>
        </form>
        <table id="contacts"><thead><tr><th>Name</th><th>Phone</th><th>Owner</th><th>Campaign</th><th>Phase</th><th>Step</th><th>Next call</th></tr></thead><tbody>
        {{#rows}}<tr><td><a href="/contacts/{{id}}">{{name}}</a></td><td>{{phone}}</td><td>{{owner}}</td><td>{{campaign}}</td>
        <td>{{phase}}{{#doNotCall}} · do not call{{/doNotCall}}</td><td>{{step}}</td><td>{{nextCall}}</td></tr>{{/rows}}
        </tbody></table>
        {{^rows}}<p>No contacts match.</p>{{/rows}}
        {{#next}}<p><a id="next" href="{{next}}">Next page</a></p>{{/next}}
        {{> footer}}
        """

    static let contact = """
        {{> header}}
        {{#contact}}
        <dl class="card" id="details">
        <dt>Phone</dt><dd>{{phone}}</dd><dt>Owner</dt><dd>{{owner}}</dd><dt>Company</dt><dd>{{company}}</dd>
        <dt>Connection</dt><dd>{{connection}}</dd><dt>Topic</dt><dd>{{topic}}</dd><dt>Campaign</dt><dd>{{campaign}}</dd>
        <dt>Time zone</dt><dd>{{timeZone}}</dd>
        <dt>Follow-up</dt><dd id="phase">{{phase}}{{#doNotCall}} · <strong>do not call</strong>{{/doNotCall}}</dd>
        <dt>Next call</dt><dd id="next-call">{{nextCall}}</dd>
        </dl>
        <div class="actions">
        {{^doNotCall}}<form method="post" action="/contacts/{{id}}/do-not-call"><input type="hidden" name="csrf" value="{{csrf}}">
        <button id="do-not-call" type="submit" class="danger">Do not call</button></form>{{/doNotCall}}
        <form method="post" action="/contacts/{{id}}/pause"><input type="hidden" name="csrf" value="{{csrf}}">
        <label>Pause until <input type="date" name="until" required></label> <button type="submit">Pause</button></form>
        <form method="post" action="/contacts/{{id}}/call-now"><input type="hidden" name="csrf" value="{{csrf}}">
        <button type="submit">Call now</button></form>
        </div>
        <details><summary>Edit details</summary>
        <form method="post" action="/contacts/{{id}}/edit" class="card"><input type="hidden" name="csrf" value="{{csrf}}">
        <label>Name <input name="name" value="{{name}}" required></label>
        <label>Company <input name="company" value="{{company}}"></label>
        <label>Connection <input name="connection" value="{{connection}}"></label>
        <label>Topic <input name="topic" value="{{topic}}"></label>
        <label>Campaign <input name="campaign" value="{{campaign}}"></label>
        <label>Time zone <input name="time_zone" value="{{timeZone}}" required></label>
        <button type="submit">Save</button></form></details>
        {{/contact}}
        <h2>Timeline</h2>
        <ol class="timeline" id="timeline">
        {{#timeline}}<li><span class="when">{{when}}</span> <strong>{{what}}</strong> {{detail}}
        {{#words}}<blockquote>{{words}}</blockquote>{{/words}}
        {{#audio}}<audio controls preload="none" src="{{audio}}"></audio>{{/audio}}</li>{{/timeline}}
        </ol>
        {{^timeline}}<p>No calls or messages yet.</p>{{/timeline}}
        {{> footer}}
        """

    static let importPage = """
        {{> header}}
        {{#hasProblems}}<div class="error" id="problems"><p>Nothing was imported: fix these lines and send the file again.</p>
        <ul>{{#problems}}<li>line {{line}}: {{message}}</li>{{/problems}}</ul></div>{{/hasProblems}}
        <form method="post" action="/import" class="card" id="import-form">
        <input type="hidden" name="csrf" value="{{csrf}}">
        <label>CSV file <input type="file" id="csv-file" accept=".csv,text/csv"></label>
        <label>or its text <textarea name="csv" id="csv" rows="8">{{csv}}</textarea></label>
        <input type="hidden" name="file" id="csv-name" value="{{file}}">
        <button type="submit" id="import">Import</button>
        </form>
        <p class="muted">Columns: name, phone, time_zone, owner, owner_dial, callback, company, connection, topic, campaign.
        Any bad row is reported with its line and nothing is imported.</p>
        {{> footer}}
        """

    static let report = """
        {{> header}}
        <p><a href="/report.csv" id="csv-link">Download as CSV</a></p>
        {{{counts}}}
        {{> footer}}
        """

    /// The Report page's tables and chart: rendered once per count of the calls, not per page.
    static let reportCounts = """
        <h2>Per step</h2>
        <table id="per-step"><thead><tr><th>Step</th><th>Dials</th><th>Voicemails</th><th>Messages left</th><th>Reached</th><th>Callbacks</th><th>Parked</th></tr></thead><tbody>
        {{#steps}}<tr><td>{{step}}</td><td>{{dials}}</td><td>{{voicemails}}</td><td>{{messagesLeft}}</td><td>{{reached}}</td><td>{{callbacks}}</td><td>{{parked}}</td></tr>{{/steps}}
        </tbody></table>
        <h2>Per week</h2>
        <figure class="chart">{{{chart}}}</figure>
        <table id="per-week"><thead><tr><th>Week of</th><th>Dials</th><th>Voicemails</th><th>Messages left</th><th>Reached</th><th>Callbacks</th><th>Parked</th></tr></thead><tbody>
        {{#weeks}}<tr><td>{{week}}</td><td>{{dials}}</td><td>{{voicemails}}</td><td>{{messagesLeft}}</td><td>{{reached}}</td><td>{{callbacks}}</td><td>{{parked}}</td></tr>{{/weeks}}
        </tbody></table>
        """

    static let system = """
        {{> header}}
        <h2>Configuration checks</h2>
        <ul id="checks">{{#checks}}<li>{{.}}</li>{{/checks}}</ul>
        <h2>Voices</h2>
        <ul id="voices">{{#voices}}<li>{{.}}</li>{{/voices}}</ul>{{^voices}}<p>No voice has spoken since the start.</p>{{/voices}}
        <h2>Dialer</h2><p id="dialer">{{dialer}}</p>
        <h2>Last warnings and errors</h2>
        <ul id="problems">{{#problems}}<li><code>{{.}}</code></li>{{/problems}}</ul>{{^problems}}<p>None since the start.</p>{{/problems}}
        <h2>Recent changes</h2>
        <table><thead><tr><th>When</th><th>Who</th><th>What</th><th>Detail</th></tr></thead><tbody>
        {{#audit}}<tr><td>{{when}}</td><td>{{account}}</td><td>{{action}}</td><td>{{detail}}</td></tr>{{/audit}}
        </tbody></table>
        {{> footer}}
        """

    static let messages = """
        {{> header}}
        <form method="get" action="/messages" class="filters"><label>Preview for contact id <input name="contact" value="{{contactID}}"></label>
        <button type="submit">Preview</button></form>
        <p class="muted">Previews are for {{contactName}}, with the promise "tomorrow around noon".</p>
        {{#steps}}<section class="card"><h2>Message {{step}}</h2><p class="muted">In force: {{source}}</p>
        {{#problems}}<p class="error">{{.}}</p>{{/problems}}
        <form method="post" action="/messages"><input type="hidden" name="csrf" value="{{csrf}}">
        <input type="hidden" name="step" value="{{step}}"><input type="hidden" name="contact" value="{{contactID}}">
        <textarea name="text" rows="5" data-preview="preview-{{step}}">{{template}}</textarea>
        <blockquote id="preview-{{step}}">{{preview}}</blockquote>
        {{#canHear}}<p><button type="button" data-hear="{{step}}" id="hear-{{step}}">Hear it</button>
        <audio controls hidden id="audio-{{step}}"></audio> <span class="muted" id="voice-{{step}}"></span></p>{{/canHear}}
        {{#canSave}}<button type="submit">Save for everyone</button>{{/canSave}}
        </form></section>{{/steps}}
        {{> footer}}
        """

    static let problem = """
        {{> header}}
        <p class="error" id="problem">{{message}}</p>
        {{> footer}}
        """
}
