// Herald's console: one page per hash route, each built from the HTTP API (/api/v1). Values from the server are only
// ever set as text, never parsed as HTML.
"use strict";

const page = document.getElementById("page");
let leave = []; // what the current page must stop (timers, event sources) when another opens
let opened = 0; // which page is open: an answer that arrives for an earlier one is dropped

class Stale extends Error {}

// ---------- small helpers ----------

function h(tag, attributes, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith("on")) element.addEventListener(name.slice(2), value);
    else if (name === "text") element.textContent = value;
    else element.setAttribute(name, value === true ? "" : String(value));
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return element;
}

async function api(method, path, body) {
  const openedAt = opened;
  const response = await fetch("/api/v1" + path, {
    method,
    headers: body === undefined ? {} : { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (openedAt !== opened) throw new Stale(); // the page that asked has been left
  const json = text ? JSON.parse(text) : null;
  if (!response.ok) {
    const error = new Error(json?.detail ?? json?.title ?? response.statusText);
    error.problem = json;
    throw error;
  }
  return json;
}

const get = path => api("GET", path);
const enc = encodeURIComponent;
const number = value => new Intl.NumberFormat("en").format(Math.round(value));
const rate = value => value >= 10 ? number(value) : value.toFixed(1);
const bytes = value => {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) { value /= 1024; unit++; }
  return (unit === 0 ? value : value.toFixed(1)) + " " + units[unit];
};
const time = value => new Date(value).toLocaleString();

function problem(error) {
  const code = error.problem?.kafkaError ? ` (${error.problem.kafkaError})` : "";
  return h("p", { class: "error", role: "alert" }, error.message + code);
}

function show(...children) {
  page.replaceChildren(...children.flat().filter(child => child !== null && child !== undefined && child !== false));
}

function table(headings, rows, caption) {
  return h("div", { class: "scroll" },
    h("table", { class: "striped" },
      caption ? h("caption", { class: "muted" }, caption) : null,
      h("thead", {}, h("tr", {}, headings.map(text => h("th", { scope: "col" }, text)))),
      h("tbody", {}, rows)));
}

function field(label, input) {
  return h("label", {}, label, input);
}

function every(milliseconds, action) {
  const timer = setInterval(action, milliseconds);
  leave.push(() => clearInterval(timer));
}

function chart(target, title, series, data) {
  const plot = new uPlot({
    title,
    width: Math.max(280, target.clientWidth || 600),
    height: 220,
    // With one sample uPlot spreads the time axis over years; show the last minute instead.
    scales: { x: { time: true, range: (u, min, max) => (min === max ? [min - 60, max + 1] : [min, max]) } },
    series: [{}, ...series.map((label, index) => ({ label, stroke: ["#1e88e5", "#e53935", "#43a047", "#fb8c00"][index % 4], width: 2 }))],
    axes: [{}, { size: 60 }],
  }, data, target);
  const resize = () => plot.setSize({ width: Math.max(280, target.clientWidth), height: 220 });
  window.addEventListener("resize", resize);
  leave.push(() => { window.removeEventListener("resize", resize); plot.destroy(); });
  return plot;
}

function pretty(value, encoding) {
  if (encoding === "json") return JSON.stringify(value, null, 2);
  if (encoding === "null") return "(null)";
  return String(value);
}

function recordView(record) {
  const headers = record.headers.map(x => `${x.name}: ${x.value ?? "(null)"}${x.encoding === "base64" ? " (base64)" : ""}`).join("\n");
  return h("details", { class: "record" },
    h("summary", {},
      `${record.topic}-${record.partition}@${record.offset}  ${time(record.timestamp)}  key ${record.key ?? "-"}  `,
      record.cloudEvent?.type ? h("span", { class: "tag" }, record.cloudEvent.type) : null),
    record.cloudEvent ? h("p", {}, h("strong", {}, "CloudEvent: "), Object.entries(record.cloudEvent).map(([k, v]) => `${k}=${v}`).join(", ")) : null,
    headers ? h("pre", { class: "json" }, headers) : null,
    h("pre", { class: "json", "aria-label": "value" }, pretty(record.value, record.valueEncoding)));
}

// ---------- pages ----------

async function overview() {
  const chartBox = h("div", { class: "chart", id: "throughput-chart" });
  const topicsBody = h("tbody");
  const create = h("form", { "aria-label": "Create topic" },
    h("div", { class: "toolbar" },
      field("New topic", h("input", { name: "name", required: true, placeholder: "orders", autocomplete: "off" })),
      field("Partitions", h("input", { name: "partitions", type: "number", min: 1, value: 3 })),
      h("button", { type: "submit" }, "Create topic")));
  const message = h("div");
  create.addEventListener("submit", async event => {
    event.preventDefault();
    const form = new FormData(create);
    try {
      await api("POST", "/topics", { name: form.get("name"), partitions: Number(form.get("partitions")) });
      message.replaceChildren(h("p", { role: "status" }, `Created topic '${form.get("name")}'.`));
      create.reset();
      await load();
    } catch (error) { message.replaceChildren(problem(error)); }
  });
  const filter = h("input", { type: "search", placeholder: "Filter topics", "aria-label": "Filter topics" });
  filter.addEventListener("input", () => load());
  const warning = h("div");

  show(
    h("h1", {}, "Overview"),
    warning,
    h("section", {}, h("h2", {}, "Throughput"), chartBox),
    h("section", {}, h("h2", {}, "Topics"), create, message, filter,
      h("div", { class: "scroll" }, h("table", { class: "striped", id: "topics" },
        h("thead", {}, h("tr", {}, ["Topic", "Partitions", "Records", "Size", "Messages/s", "Bytes/s"].map(t => h("th", { scope: "col" }, t)))),
        topicsBody))));

  let plot;
  async function load() {
    const [topics, stats] = await Promise.all([get(`/topics?limit=1000${filter.value ? "&prefix=" + enc(filter.value) : ""}`), get("/stats")]);
    warning.replaceChildren(...(stats.openToAnyone
      ? [h("p", { role: "alert", id: "anonymous-warning" }, "This server accepts anyone who can reach it: it listens beyond this machine without authentication (--allow-anonymous).")]
      : []));
    topicsBody.replaceChildren(...topics.items.map(t => h("tr", {},
      h("td", {}, h("a", { href: `#/topics/${enc(t.name)}` }, t.name)),
      h("td", { class: "numbers" }, t.partitions),
      h("td", { class: "numbers" }, number(t.records)),
      h("td", { class: "numbers" }, bytes(t.sizeBytes)),
      h("td", { class: "numbers" }, rate(t.messagesPerSecond)),
      h("td", { class: "numbers" }, bytes(t.bytesPerSecond) + "/s"))));
    if (topics.items.length === 0) topicsBody.replaceChildren(h("tr", {}, h("td", { colspan: 6, class: "muted" }, "No topics yet.")));
    const data = [stats.history.map(s => new Date(s.at).getTime() / 1000), stats.history.map(s => s.recordsPerSecond)];
    if (!plot) plot = chart(chartBox, "Messages per second, all topics", ["messages/s"], data);
    else plot.setData(data);
  }
  await load();
  every(5000, () => load().catch(() => {}));
}


async function topicPage(name, tab) {
  const topic = await get(`/topics/${enc(name)}`);
  const tabs = ["messages", "produce", "partitions", "configs"];
  tab = tabs.includes(tab) ? tab : "messages";
  const body = h("div");
  show(
    h("h1", {}, "Topic ", h("code", {}, topic.name)),
    h("p", { class: "muted" }, `${topic.partitions.length} partitions · ${number(topic.partitions.reduce((s, p) => s + p.records, 0))} records · ${rate(topic.messagesPerSecond)} msg/s · `,
      h("a", { href: `#/tail/${enc(name)}` }, "Live tail")),
    h("nav", { class: "tabs", "aria-label": "Topic sections" },
      tabs.map(t => h("a", { href: `#/topics/${enc(name)}/${t}`, "aria-selected": t === tab ? "true" : "false" }, t[0].toUpperCase() + t.slice(1)))),
    body);

  if (tab === "partitions") {
    body.replaceChildren(table(["Partition", "Start offset", "End offset", "Records", "Size"],
      topic.partitions.map(p => h("tr", {}, h("td", {}, p.partition), h("td", { class: "numbers" }, p.startOffset), h("td", { class: "numbers" }, p.endOffset), h("td", { class: "numbers" }, number(p.records)), h("td", { class: "numbers" }, bytes(p.sizeBytes))))));
  } else if (tab === "configs") {
    body.replaceChildren(table(["Setting", "Value", "Source"],
      topic.configs.map(c => h("tr", {}, h("td", {}, h("code", {}, c.name)), h("td", {}, c.value), h("td", {}, c.source)))));
  } else if (tab === "produce") {
    body.replaceChildren(produceForm(name));
  } else {
    body.replaceChildren(browser(name, topic.partitions.length));
  }
}

function produceForm(name) {
  const result = h("div");
  const form = h("form", { "aria-label": "Produce" },
    field("Key", h("input", { name: "key", autocomplete: "off" })),
    field("Headers (one NAME: VALUE a line)", h("textarea", { name: "headers", rows: 2 })),
    field("Value (JSON, or text)", h("textarea", { name: "value", rows: 6, required: true })),
    h("button", { type: "submit" }, "Produce"));
  form.addEventListener("submit", async event => {
    event.preventDefault();
    const data = new FormData(form);
    const headers = {};
    for (const line of String(data.get("headers")).split("\n")) {
      const colon = line.indexOf(":");
      if (colon > 0) headers[line.slice(0, colon).trim()] = line.slice(colon + 1).trim();
    }
    const text = String(data.get("value"));
    let value, valueFormat = "json";
    try { value = JSON.parse(text); } catch { value = text; valueFormat = "string"; }
    try {
      const answer = await api("POST", `/topics/${enc(name)}/records`, { key: data.get("key") || null, value, valueFormat, headers });
      const p = answer.records[0];
      result.replaceChildren(h("p", { role: "status" }, `Produced to partition ${p.partition} at offset ${p.offset}.`));
    } catch (error) { result.replaceChildren(problem(error)); }
  });
  return h("section", {}, form, result);
}

function browser(name, partitions) {
  const results = h("div", { id: "records" });
  const more = h("button", { type: "button", class: "secondary", hidden: true }, "Load more");
  const form = h("form", { "aria-label": "Browse messages" },
    h("div", { class: "toolbar" },
      field("Partition", h("select", { name: "partition" }, h("option", { value: "" }, "All"), Array.from({ length: partitions }, (_, i) => h("option", { value: i }, i)))),
      field("Start", h("select", { name: "start" }, h("option", { value: "last" }, "Newest"), h("option", { value: "earliest" }, "Oldest"), h("option", { value: "offset" }, "At offset"), h("option", { value: "time" }, "At time"))),
      field("Offset or time", h("input", { name: "at", placeholder: "42 or 2026-12-03T10:00", autocomplete: "off" }))),
    h("div", { class: "toolbar" },
      field("Key", h("input", { name: "key", autocomplete: "off" })),
      field("Header", h("input", { name: "header", placeholder: "name or name:value", autocomplete: "off" })),
      field("CloudEvents type", h("input", { name: "type", autocomplete: "off" })),
      field("Body contains", h("input", { name: "contains", autocomplete: "off" })),
      h("button", { type: "submit" }, "Search")));
  let query = "";
  let cursor = null;
  let newestFirst = false;
  async function fetchPage(reset) {
    try {
      const page = await get(`/topics/${enc(name)}/records?limit=50&${query}${cursor ? "&cursor=" + enc(cursor) : ""}`);
      if (reset) results.replaceChildren();
      const records = newestFirst ? [...page.records].sort((a, b) => new Date(b.timestamp) - new Date(a.timestamp) || b.offset - a.offset) : page.records;
      results.append(...records.map(recordView));
      if (reset && page.records.length === 0) results.append(h("p", { class: "muted" }, "No messages match."));
      results.append(h("p", { class: "muted" }, `Read ${number(page.scannedRecords)} records (${bytes(page.scannedBytes)})${page.cut ? "; stopped at this request's read limit" : ""}.`));
      cursor = page.next ?? null;
      more.hidden = !cursor;
    } catch (error) { results.replaceChildren(problem(error)); }
  }
  form.addEventListener("submit", event => {
    event.preventDefault();
    const data = new FormData(form);
    const parts = [];
    if (data.get("partition") !== "") parts.push("partition=" + enc(data.get("partition")));
    const at = String(data.get("at")).trim();
    // "last" counts per partition: spread the 50 over the partitions browsed, and show them newest first.
    if (data.get("start") === "last") parts.push("last=" + (data.get("partition") !== "" ? 50 : Math.ceil(50 / partitions)));
    if (data.get("start") === "offset" && at) parts.push("offset=" + enc(at));
    if (data.get("start") === "time" && at) parts.push("time=" + enc(new Date(at).toISOString()));
    for (const filter of ["key", "header", "type", "contains"]) if (data.get(filter)) parts.push(filter + "=" + enc(data.get(filter)));
    query = parts.join("&");
    newestFirst = data.get("start") === "last";
    cursor = null;
    fetchPage(true);
  });
  more.addEventListener("click", () => fetchPage(false));
  queueMicrotask(() => form.requestSubmit());
  return h("section", {}, form, results, more);
}

function tailPage(name) {
  const list = h("div", { id: "tail" });
  const status = h("p", { class: "muted", role: "status" }, "Connecting…");
  const filter = h("input", { type: "search", placeholder: "only bodies containing…", "aria-label": "Tail filter" });
  let source;
  function connect() {
    source?.close();
    list.replaceChildren();
    source = new EventSource(`/api/v1/topics/${enc(name)}/tail${filter.value ? "?contains=" + enc(filter.value) : ""}`);
    source.onopen = () => { status.textContent = "Live: new messages appear at the top."; };
    source.onerror = () => { status.textContent = "Disconnected; retrying…"; };
    source.addEventListener("record", event => {
      list.prepend(recordView(JSON.parse(event.data)));
      while (list.childElementCount > 200) list.lastElementChild.remove();
    });
  }
  filter.addEventListener("change", connect);
  leave.push(() => source?.close());
  show(h("h1", {}, "Live tail of ", h("a", { href: `#/topics/${enc(name)}` }, h("code", {}, name))), filter, status, list);
  connect();
}

async function groupsPage() {
  const groups = await get("/groups?limit=1000");
  show(h("h1", {}, "Consumer groups"),
    groups.items.length === 0 ? h("p", { class: "muted" }, "No consumer groups yet.") :
    table(["Group", "State", "Members", "Lag"], groups.items.map(g => h("tr", {},
      h("td", {}, h("a", { href: `#/groups/${enc(g.groupId)}` }, g.groupId)),
      h("td", {}, g.state), h("td", { class: "numbers" }, g.members), h("td", { class: "numbers" }, number(g.lag))))));
}

async function groupPage(id) {
  const lagBox = h("div", { class: "chart" });
  const total = h("strong", { id: "group-lag" });
  const state = h("span");
  const partitions = h("div");
  const members = h("div");
  const history = [[], []];
  let plot;
  const reset = resetForm(id);
  show(h("h1", {}, "Group ", h("code", {}, id)),
    h("p", {}, "State: ", state, " · total lag: ", total),
    h("section", {}, h("h2", {}, "Lag over time"), lagBox),
    h("section", {}, h("h2", {}, "Lag per partition"), partitions),
    h("section", {}, h("h2", {}, "Members"), members),
    h("section", {}, h("h2", {}, "Reset offsets"), reset));
  async function load() {
    const group = await get(`/groups/${enc(id)}`);
    state.textContent = group.state;
    total.textContent = number(group.lag);
    partitions.replaceChildren(table(["Topic", "Partition", "Committed", "End", "Lag"], group.partitions.map(p => h("tr", {},
      h("td", {}, p.topic), h("td", {}, p.partition), h("td", { class: "numbers" }, p.committed), h("td", { class: "numbers" }, p.endOffset), h("td", { class: "numbers" }, number(p.lag))))));
    members.replaceChildren(group.members.length === 0 ? h("p", { class: "muted" }, "No members: the group is idle.") :
      table(["Member", "Client", "Host", "Assignment"], group.members.map(m => h("tr", {},
        h("td", {}, m.memberId), h("td", {}, m.clientId), h("td", {}, m.clientHost), h("td", {}, m.assignment.map(a => `${a.topic} [${a.partitions.join(", ")}]`).join("; "))))));
    history[0].push(Date.now() / 1000);
    history[1].push(group.lag);
    if (history[0].length > 360) { history[0].shift(); history[1].shift(); }
    if (!plot) plot = chart(lagBox, "Total lag (records)", ["lag"], history);
    else plot.setData(history);
  }
  await load();
  every(2000, () => load().catch(() => {}));
}

function resetForm(id) {
  const output = h("div");
  const form = h("form", { "aria-label": "Reset offsets" },
    h("div", { class: "toolbar" },
      field("Topic", h("input", { name: "topic", required: true, autocomplete: "off" })),
      field("To", h("select", { name: "to" }, ["earliest", "latest", "offset", "timestamp"].map(v => h("option", { value: v }, v)))),
      field("Offset or time", h("input", { name: "at", autocomplete: "off" })),
      h("button", { type: "submit" }, "Preview")));
  let pending = null;
  form.addEventListener("submit", async event => {
    event.preventDefault();
    const data = new FormData(form);
    const request = { topic: data.get("topic"), to: data.get("to"), dryRun: true };
    if (request.to === "offset") request.offset = Number(data.get("at"));
    if (request.to === "timestamp") request.timestamp = new Date(String(data.get("at"))).toISOString();
    try {
      const preview = await api("POST", `/groups/${enc(id)}/offsets/reset`, request);
      pending = { ...request, dryRun: false };
      output.replaceChildren(
        table(["Topic", "Partition", "From", "To"], preview.changes.map(c => h("tr", {}, h("td", {}, c.topic), h("td", {}, c.partition), h("td", { class: "numbers" }, c.from), h("td", { class: "numbers" }, c.to))), "Preview: nothing has changed yet."),
        h("button", { type: "button", onclick: apply }, "Apply reset"));
    } catch (error) { output.replaceChildren(problem(error)); }
  });
  async function apply() {
    if (!pending || !confirm(`Move group '${id}' on '${pending.topic}'?`)) return;
    try {
      await api("POST", `/groups/${enc(id)}/offsets/reset`, pending);
      output.replaceChildren(h("p", { role: "status" }, "Offsets reset."));
    } catch (error) { output.replaceChildren(problem(error)); }
  }
  return h("div", {}, form, output);
}

async function deadLettersPage() {
  const topics = await get("/dead-letters");
  show(h("h1", {}, "Dead letters"),
    topics.length === 0 ? h("p", { class: "muted" }, "No dead-letter topics.") :
    table(["Dead-letter topic", "Group", "From topic", "Waiting"], topics.map(t => h("tr", {},
      h("td", {}, h("a", { href: `#/dead-letters/${enc(t.topic)}` }, t.topic)),
      h("td", {}, t.group ?? "-"), h("td", {}, t.sourceTopic ?? "-"), h("td", { class: "numbers" }, t.unresolved)))));
}

async function deadLetterTopicPage(topic) {
  const list = h("div");
  const count = h("strong", { id: "dead-letter-count" });
  const output = h("div");
  show(h("h1", {}, "Dead letters in ", h("code", {}, topic)), h("p", {}, "Waiting: ", count), output, list);
  async function load() {
    const letters = await get(`/dead-letters/${enc(topic)}`);
    count.textContent = letters.length;
    list.replaceChildren(letters.length === 0 ? h("p", { class: "muted" }, "None waiting.") :
      table(["Letter", "Event", "Error", "Attempts", "From", "Last failure", ""], letters.map(l => h("tr", {},
        h("td", {}, l.reference), h("td", {}, l.eventType ?? "(not an event)"),
        h("td", {}, h("span", { title: l.exceptionMessage }, l.exceptionType.split(".").pop()), h("br"), h("small", { class: "muted" }, l.exceptionMessage)),
        h("td", { class: "numbers" }, l.attempts), h("td", {}, `${l.originalTopic}-${l.originalPartition}@${l.originalOffset}`), h("td", {}, time(l.lastFailure)),
        h("td", {},
          h("button", { type: "button", class: "outline", onclick: () => act("redrive", l) }, "Redrive"), " ",
          h("button", { type: "button", class: "outline secondary", onclick: () => act("purge", l) }, "Purge"))))));
  }
  async function act(action, letter) {
    if (!confirm(`${action === "redrive" ? "Redrive" : "Purge"} dead letter ${letter.reference}?`)) return;
    try {
      // This letter: the oldest with its type, error and last failure time (the list is in that order).
      const until = new Date(new Date(letter.lastFailure).getTime() + 1).toISOString();
      const result = await api("POST", `/dead-letters/${enc(topic)}/${action}`, { type: letter.eventType, error: letter.exceptionType, since: letter.lastFailure, until, limit: 1 });
      output.replaceChildren(h("p", { role: "status" }, `${action === "redrive" ? "Redrove" : "Purged"} ${result.letters.length} letter(s).`));
      await load();
    } catch (error) { output.replaceChildren(problem(error)); }
  }
  await load();
}

function tracePage() {
  const results = h("div", { id: "trace" });
  const form = h("form", { "aria-label": "Trace lookup" },
    h("div", { class: "toolbar" },
      field("Correlation id or trace id", h("input", { name: "id", required: true, autocomplete: "off", placeholder: "order-42" })),
      field("Since", h("input", { name: "since", type: "datetime-local" })),
      h("button", { type: "submit" }, "Look up")));
  form.addEventListener("submit", async event => {
    event.preventDefault();
    const data = new FormData(form);
    const id = String(data.get("id")).trim();
    const kind = /^[0-9a-f]{32}$/i.test(id) ? "traceId" : "correlationId";
    const since = data.get("since") ? "&since=" + enc(new Date(String(data.get("since"))).toISOString()) : "";
    try {
      const trace = await get(`/trace?${kind}=${enc(id)}${since}`);
      results.replaceChildren(
        h("p", { class: "muted" }, `${trace.records.length} record(s) in ${trace.topicsSearched} topic(s), ${time(trace.since)} to ${time(trace.until)}${trace.cut ? "; the search was cut short: narrow the window" : ""}.`),
        h("ol", {}, trace.records.map(r => h("li", {}, h("strong", {}, r.topic), " ", h("span", { class: "tag" }, r.cloudEvent?.type ?? "record"), " ", time(r.timestamp), recordView(r)))));
    } catch (error) { results.replaceChildren(problem(error)); }
  });
  show(h("h1", {}, "Trace lookup"), h("p", { class: "muted" }, "Every record of one correlation id (ce_correlationid) or W3C trace id (traceparent), across all topics, in time order."), form, results);
}

async function streamsPage() {
  if (!(await get("/stats")).eventStore) {
    show(h("h1", {}, "Event store"), h("p", { role: "alert" }, "This server shows no event store. Start it with --event-store DIR (an embedded store) or --event-store-postgres CONNECTION to browse streams and projections here."));
    return;
  }
  const [streams, projections] = await Promise.all([get("/streams?limit=1000"), get("/projections")]);
  show(h("h1", {}, "Event store"),
    h("section", {}, h("h2", {}, "Projections"), projections.length === 0 ? h("p", { class: "muted" }, "No projections have reported.") :
      table(["Projection", "Version", "Phase", "Checkpoint", "Lag (events)", "Lag (s)", "Error"], projections.map(p => h("tr", {},
        h("td", {}, p.name), h("td", {}, p.version), h("td", {}, p.phase), h("td", { class: "numbers" }, p.checkpoint), h("td", { class: "numbers" }, number(p.lagEvents)), h("td", { class: "numbers" }, p.lagSeconds.toFixed(1)), h("td", { class: "error" }, p.error ?? ""))))),
    h("section", {}, h("h2", {}, "Streams"), table(["Stream", "Version"], streams.items.map(s => h("tr", {},
      h("td", {}, h("a", { href: `#/streams/${enc(s.id)}` }, s.id)), h("td", { class: "numbers" }, s.version ?? "-"))))));
}

async function streamPage(id) {
  const stream = await get(`/streams/${enc(id)}?limit=1000`);
  show(h("h1", {}, "Stream ", h("code", {}, id)), h("p", { class: "muted" }, `Version ${stream.version}`),
    stream.events.map(e => h("details", { class: "record" },
      h("summary", {}, `v${e.version}  @${e.position}  ${time(e.timestamp)}  `, h("span", { class: "tag" }, e.type)),
      h("p", { class: "muted" }, `id ${e.eventId}${e.correlationId ? " · correlation " + e.correlationId : ""}${e.causationId ? " · causation " + e.causationId : ""}`),
      h("pre", { class: "json" }, typeof e.data === "string" ? e.data : JSON.stringify(e.data, null, 2)))));
}

// ---------- routing ----------

const routes = [
  [/^#?\/?$/, () => overview()],
  [/^#\/topics\/([^/]+)(?:\/(\w+))?$/, (name, tab) => topicPage(decodeURIComponent(name), tab)],
  [/^#\/tail\/([^/]+)$/, name => tailPage(decodeURIComponent(name))],
  [/^#\/groups$/, () => groupsPage()],
  [/^#\/groups\/([^/]+)$/, id => groupPage(decodeURIComponent(id))],
  [/^#\/dead-letters$/, () => deadLettersPage()],
  [/^#\/dead-letters\/([^/]+)$/, topic => deadLetterTopicPage(decodeURIComponent(topic))],
  [/^#\/trace$/, () => tracePage()],
  [/^#\/streams$/, () => streamsPage()],
  [/^#\/streams\/([^/]+)$/, id => streamPage(decodeURIComponent(id))],
];

async function route() {
  for (const stop of leave) stop();
  leave = [];
  opened++;
  const hash = location.hash || "#/";
  for (const link of document.querySelectorAll("header nav a")) {
    const target = link.getAttribute("href");
    const current = target === "#/" ? hash === "#/" : hash.startsWith(target);
    if (current) link.setAttribute("aria-current", "page"); else link.removeAttribute("aria-current");
  }
  for (const [pattern, open] of routes) {
    const match = hash.match(pattern);
    if (match) {
      try {
        await open(...match.slice(1));
      } catch (error) {
        if (!(error instanceof Stale)) show(h("h1", {}, "Something went wrong"), problem(error));
      }
      page.focus?.();
      return;
    }
  }
  show(h("h1", {}, "Not found"), h("p", {}, h("a", { href: "#/" }, "Back to the overview")));
}

window.addEventListener("hashchange", route);
route();
