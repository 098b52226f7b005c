// The page of `skjult serve`: the caption is checked as it is written (debounced), the words a
// finding is about are marked, each finding says what is wrong and how to fix it. Text from the
// caption and the server is only ever set as text (never as HTML). Offsets from the server count
// code points; JavaScript strings count UTF-16 units, so the caption is split into code points.
"use strict";

const WORDS = {
  da: {
    title: "Tjek en opslagstekst for skjult reklame", other_lang: "English", api: "API",
    caption: "Opslagstekst", platform: "Platform", jurisdiction: "Regler", dk: "Danmark",
    uk: "Storbritannien", us: "USA", audience: "Målgruppe", audience_any: "Alle",
    minors: "Børn og unge", adults: "Voksne", brand: "Annoncør (valgfri)", token: "Adgangsnøgle",
    start: "Skriv eller indsæt en opslagstekst.", apply: "Ret automatisk", copy: "Kopiér teksten",
    changed: "Ændret", before: "Før", after: "Efter",
    privacy: "Teksten tjekkes på denne server og gemmes ikke.", checking: "Tjekker …",
    copied: "Kopieret.", fixed: "Rettet – tjekker igen.", nothing_to_fix: "Intet at rette automatisk.",
    source: "kilde", fix: "Sådan retter du",
    verdicts: { not_commercial: "Ikke kommercielt – intet at markere",
                compliant: "I orden – reklamen er markeret", warning: "Advarsel – se efter",
                violation: "Overtrædelse – ret før du udgiver" },
    failed: "Tjekket kunne ikke gennemføres",
  },
  en: {
    title: "Check a caption for hidden advertising", other_lang: "Dansk", api: "API",
    caption: "Caption", platform: "Platform", jurisdiction: "Rules", dk: "Denmark",
    uk: "United Kingdom", us: "United States", audience: "Audience", audience_any: "Anyone",
    minors: "Children and young people", adults: "Adults", brand: "Advertiser (optional)",
    token: "Access token", start: "Type or paste a caption.", apply: "Fix automatically",
    copy: "Copy caption", changed: "Changed", before: "Before", after: "After",
    privacy: "The caption is checked on this server and not stored.", checking: "Checking …",
    copied: "Copied.", fixed: "Fixed – checking again.", nothing_to_fix: "Nothing to fix automatically.",
    source: "source", fix: "How to fix",
    verdicts: { not_commercial: "Not commercial – nothing to label",
                compliant: "Compliant – the advertising is labelled", warning: "Warning – take a look",
                violation: "Violation – fix before you publish" },
    failed: "The check could not be done",
  },
};

const $ = (id) => document.getElementById(id);
let lang = new URLSearchParams(location.search).get("lang") === "en" ? "en" : "da";
let timer = null;
let sent = 0;
let last = null;  // the last answer, for "fix"

function say() {
  document.documentElement.lang = lang;
  for (const el of document.querySelectorAll("[data-text]")) {
    el.textContent = WORDS[lang][el.dataset.text];
  }
  document.title = "skjult – " + WORDS[lang].title;
  if (last) show(last); else $("verdict").textContent = WORDS[lang].start;
}

function payload() {
  const body = { caption: $("caption").value, platform: $("platform").value,
                 jurisdiction: $("jurisdiction").value, lang: lang };
  if ($("audience").value) body.audience = $("audience").value;
  if ($("brand").value.trim()) body.brand = $("brand").value.trim();
  return body;
}

async function check() {
  const body = payload();
  if (!body.caption.trim()) { ++sent; last = null; clear(); return; }  // a late answer is stale
  const mine = ++sent;
  $("status").textContent = WORDS[lang].checking;
  const headers = { "Content-Type": "application/json" };
  if ($("token").value) headers.Authorization = "Bearer " + $("token").value;
  try {
    const response = await fetch("/v1/check", { method: "POST", headers, body: JSON.stringify(body) });
    const answer = await response.json();
    if (mine !== sent) return;  // a newer request is on its way
    $("status").textContent = "";
    if (!response.ok) { failed(answer.error ? answer.error.message : response.statusText); return; }
    last = answer;
    show(answer);
  } catch (error) {
    if (mine === sent) failed(String(error));
  }
}

function clear() {
  $("verdict").className = "verdict empty";
  delete $("verdict").dataset.verdict;
  $("verdict").textContent = WORDS[lang].start;
  $("preview").hidden = true;
  $("findings").replaceChildren();
  $("apply").disabled = true;
  $("status").textContent = "";
}

function failed(message) {
  $("verdict").className = "verdict error";
  $("verdict").textContent = WORDS[lang].failed + ": " + message;
  $("preview").hidden = true;
  $("findings").replaceChildren();
  $("apply").disabled = true;
}

function show(answer) {
  const verdict = $("verdict");
  verdict.className = "verdict " + answer.verdict;
  verdict.dataset.verdict = answer.verdict;
  verdict.textContent = WORDS[lang].verdicts[answer.verdict] || answer.verdict;
  const points = Array.from(answer.caption);  // code points, as the offsets count
  const preview = $("preview");
  preview.replaceChildren();
  const spans = answer.findings.filter((f) => f.end > f.start)
    .sort((a, b) => a.start - b.start || b.end - a.end);
  let at = 0;
  for (const finding of spans) {
    if (finding.start < at) continue;  // overlapping: the first one marks the words
    preview.append(points.slice(at, finding.start).join(""));
    const mark = document.createElement("mark");
    mark.className = finding.severity;
    mark.title = finding.message;
    mark.textContent = points.slice(finding.start, finding.end).join("");
    preview.append(mark);
    at = finding.end;
  }
  preview.append(points.slice(at).join(""));
  preview.hidden = spans.length === 0;
  const list = $("findings");
  list.replaceChildren();
  for (const finding of answer.findings) {
    const item = document.createElement("li");
    const message = document.createElement("p");
    message.textContent = finding.message;
    item.append(message);
    if (finding.fix) {
      const fix = document.createElement("p");
      fix.textContent = WORDS[lang].fix + ": " + finding.fix;
      item.append(fix);
    }
    const rule = document.createElement("p");
    rule.className = "rule";
    rule.append(finding.rule + " · ");
    if (/^https?:\/\//.test(finding.source)) {
      const link = document.createElement("a");
      link.href = finding.source;
      link.rel = "noopener noreferrer";
      link.textContent = WORDS[lang].source;
      rule.append(link);
    }
    item.append(rule);
    list.append(item);
  }
  $("apply").disabled = !answer.fixed_caption || answer.fixed_caption === answer.caption;
}

function showDiff(before, after) {
  let head = 0;
  const a = Array.from(before), b = Array.from(after);
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  let tail = 0;
  while (tail < a.length - head && tail < b.length - head &&
         a[a.length - 1 - tail] === b[b.length - 1 - tail]) tail++;
  const part = (points, changed) => {
    const out = [points.slice(0, head).join("")];
    const mid = document.createElement(changed);
    mid.textContent = points.slice(head, points.length - tail).join("");
    out.push(mid, points.slice(points.length - tail).join(""));
    return out;
  };
  $("before").replaceChildren(...part(a, "del"));
  $("after").replaceChildren(...part(b, "ins"));
  $("diff").hidden = false;
}

function later() {
  clearTimeout(timer);
  timer = setTimeout(check, 300);
}

document.addEventListener("DOMContentLoaded", async () => {
  say();
  $("form").addEventListener("submit", (event) => event.preventDefault());
  $("caption").addEventListener("input", later);
  for (const id of ["platform", "jurisdiction", "audience", "brand", "token"]) {
    $(id).addEventListener(id === "brand" || id === "token" ? "input" : "change", later);
  }
  $("lang").addEventListener("click", () => { lang = lang === "da" ? "en" : "da"; say(); later(); });
  $("apply").addEventListener("click", () => {
    if (!last || !last.fixed_caption) { $("status").textContent = WORDS[lang].nothing_to_fix; return; }
    showDiff(last.caption, last.fixed_caption);
    $("caption").value = last.fixed_caption;
    $("status").textContent = WORDS[lang].fixed;
    check();
  });
  $("copy").addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText($("caption").value);
    } catch (error) {  // no clipboard API (plain http off localhost): select it instead
      $("caption").select();
      document.execCommand("copy");
    }
    $("status").textContent = WORDS[lang].copied;
  });
  try {
    const health = await (await fetch("/healthz")).json();
    $("token-field").hidden = !health.token_required;
  } catch (error) { /* the check itself will say */ }
  if ($("caption").value.trim()) check();
});
