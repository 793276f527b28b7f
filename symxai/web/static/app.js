// symxai web checker: live preview of how each answer is read, checks, whole-sheet checks.
// Text from the student is only ever shown with textContent; markup comes from the server's printer.
"use strict";
(function () {
  const root = document.getElementById("sheet");
  if (!root) return;
  const sheet = root.dataset.sheet;

  async function post(url, body, isForm) {
    const init = {method: "POST", body: isForm ? body : JSON.stringify(body)};
    if (!isForm) init.headers = {"content-type": "application/json"};
    let response;
    try {
      response = await fetch(url, init);
    } catch (err) {
      return {status: 0, data: {error: "the server cannot be reached; retry"}};
    }
    let data;
    try { data = await response.json(); } catch (err) { data = {error: "unexpected answer from the server"}; }
    return {status: response.status, data: data};
  }

  function line(text, cls) {
    const div = document.createElement("div");
    div.className = "line " + (cls || "");
    div.textContent = text;
    return div;
  }

  function statusOf(text) {
    const m = /^[^:]+: (right|wrong|cannot decide|cannot read)/.exec(text);
    if (!m) return text.startsWith("  - ") ? "diagnosis" : "note";
    return {"right": "right", "wrong": "wrong", "cannot decide": "undecided", "cannot read": "unreadable"}[m[1]];
  }

  function showLines(box, lines) {
    box.replaceChildren(...lines.map((t) => line(t, statusOf(t.trimStart().startsWith("- ") ? "  - " : t))));
  }

  function showError(box, data, status) {
    const msg = status === 429 ? "busy, retry in a moment" : (data.error || "error");
    box.replaceChildren(line(msg, status === 429 ? "busy" : "error"));
  }

  // preview ----------------------------------------------------------------------------------
  const timers = new WeakMap();
  const latest = new WeakMap();
  async function preview(form, field) {
    const input = field.querySelector("input");
    const box = field.querySelector(".preview");
    const text = input.value;
    latest.set(field, text);
    if (!text.trim()) { box.replaceChildren(); box.className = "preview"; return; }
    const {status, data} = await post("/api/preview",
      {sheet: sheet, target: form.dataset.target, name: field.dataset.name, text: text});
    if (latest.get(field) !== text) return;  // the student typed on meanwhile
    if (status === 200 && data.mathml) {
      box.className = "preview ok";
      const label = document.createElement("span");
      label.className = "read-as";
      label.textContent = "read as ";
      const math = document.createElement("span");
      math.className = "math";
      math.innerHTML = data.mathml;  // MathML printed by the server from the parsed answer
      const plain = document.createElement("code");
      plain.textContent = data.plain;
      box.replaceChildren(label, math, document.createTextNode(" "), plain);
    } else if (status === 200 && data.message) {
      box.className = "preview bad";
      box.replaceChildren(line(data.message, "unreadable"));
    } else if (status !== 200) {
      box.className = "preview bad";
      showError(box, data, status);
    }
  }

  // checks -----------------------------------------------------------------------------------
  function given(form) {
    const answers = {};
    form.querySelectorAll(".field").forEach((f) => {
      const v = f.querySelector("input").value;
      if (v.trim()) answers[f.dataset.name] = v;
    });
    return answers;
  }

  function assumeOf(form) {
    const a = form.querySelector("input[name=__assume]");
    return a && a.value.trim() ? [a.value] : [];
  }

  async function check(form) {
    const box = form.querySelector(".result");
    const answers = given(form);
    if (!Object.keys(answers).length) { box.replaceChildren(line("type an answer first", "error")); return; }
    box.replaceChildren(line("checking ...", "pending"));
    const {status, data} = await post("/api/check",
      {sheet: sheet, target: form.dataset.target, answers: answers, assume: assumeOf(form)});
    if (status !== 200) { showError(box, data, status); return; }
    showLines(box, data.lines);
    box.dataset.exit = data.report.exit_code;
    const marks = {};
    data.report.answers.forEach((v) => { marks[v.name] = v.status; });
    form.querySelectorAll(".field").forEach((f) => { f.dataset.status = marks[f.dataset.name] || ""; });
    const slot = form.querySelector(".solution-slot");
    if (slot && data.solution_html) {
      slot.innerHTML = '<details class="solution" open><summary>Worked solution</summary>' + data.solution_html + "</details>";
    }
  }

  function showSheet(box, status, data) {
    if (status !== 200) { showError(box, data, status); return; }
    box.dataset.exit = data.report.exit_code;
    box.replaceChildren(...data.lines.map((t) => line(t, /^\S/.test(t) ? "task" : statusOf(t.trim().startsWith("- ") ? "  - " : t.trim()))));
  }

  document.querySelectorAll("form.task").forEach((form) => {
    form.addEventListener("submit", (e) => { e.preventDefault(); check(form); });
    form.querySelectorAll(".field").forEach((field) => {
      field.querySelector("input").addEventListener("input", () => {
        clearTimeout(timers.get(field));
        timers.set(field, setTimeout(() => preview(form, field), 250));
      });
    });
  });

  const whole = document.getElementById("whole-sheet");
  const wholeBox = whole.querySelector(".sheet-result");
  document.getElementById("check-all").addEventListener("click", async () => {
    const answers = {};
    document.querySelectorAll("form.task").forEach((form) => { answers[form.dataset.target] = given(form); });
    wholeBox.replaceChildren(line("checking the sheet ...", "pending"));
    const {status, data} = await post("/api/check-sheet", {sheet: sheet, answers: answers});
    showSheet(wholeBox, status, data);
  });
  document.getElementById("upload").addEventListener("submit", async (e) => {
    e.preventDefault();
    const form = e.target;
    if (!form.querySelector("input[type=file]").files.length) {
      wholeBox.replaceChildren(line("choose an answers file first", "error"));
      return;
    }
    wholeBox.replaceChildren(line("checking the sheet ...", "pending"));
    const {status, data} = await post("/api/check-sheet", new FormData(form), true);
    showSheet(wholeBox, status, data);
  });
})();
