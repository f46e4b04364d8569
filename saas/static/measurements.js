/* The colour of a measurement as you type (三色预警). Mirrors saas.domain.scoring
 * score_indicator(): the server stays the judge; this only shows early what it will say.
 * Each row carries data-direction / data-target / data-warning / data-zero. */
(function () {
  "use strict";

  var TRUE_WORDS = ["是", "有", "达标", "完成", "已完成", "yes", "y", "true", "1", "√", "✓"];
  var FALSE_WORDS = ["否", "无", "未达标", "未完成", "no", "n", "false", "0", "×", "✗"];
  var NA_WORDS = ["不适用", "n/a", "na"];

  function numberOrNull(text) {
    if (text === undefined || text === null || text === "") return null;
    var v = Number(text);
    return isFinite(v) ? v : null;
  }

  function parseNumber(text) {
    var cleaned = text.replace(/,/g, "").replace(/%$/, "").trim();
    if (cleaned === "") return null;
    var v = Number(cleaned);
    return isFinite(v) ? v : null;
  }

  /* rule: {direction, target, warning, zero}; returns green | yellow | red | no_data |
   * invalid (what the server would refuse). */
  function colour(rule, raw, notApplicable) {
    var text = String(raw === undefined || raw === null ? "" : raw).trim();
    var word = text.toLowerCase();
    if (notApplicable || text === "" || NA_WORDS.indexOf(word) >= 0) return "no_data";
    if (rule.direction === "boolean") {
      if (TRUE_WORDS.indexOf(word) >= 0) return "green";
      if (FALSE_WORDS.indexOf(word) >= 0) return "red";
      return "invalid";
    }
    var value = parseNumber(text);
    if (value === null) return "invalid";
    // Oriented so that "lower is better": d <= 0 meets the target.
    var sign = rule.direction === "lower_better" ? 1 : -1;
    var d = sign * (value - rule.target);
    if (d > 0) return "red";
    var w = rule.warning === null ? null : sign * (rule.warning - rule.target);
    return w !== null && d > w ? "yellow" : "green";
  }

  function ruleOf(row) {
    return {
      direction: row.dataset.direction,
      target: numberOrNull(row.dataset.target),
      warning: numberOrNull(row.dataset.warning),
      zero: numberOrNull(row.dataset.zero)
    };
  }

  function update(row, labels) {
    var input = row.querySelector(".measure-input");
    var na = row.querySelector(".measure-na");
    var badge = row.querySelector("[data-color-for]");
    if (!input || !badge) return;
    var c = colour(ruleOf(row), input.value, na && na.checked);
    badge.className = "badge-color color-" + (c === "invalid" ? "no_data" : c);
    badge.textContent = labels[c] || c;
    badge.dataset.color = c;
    input.classList.toggle("is-invalid", c === "invalid");
  }

  function init() {
    var table = document.querySelector("table[data-labels]");
    if (!table) return;
    var labels = JSON.parse(table.dataset.labels);
    table.querySelectorAll("tr[data-indicator]").forEach(function (row) {
      var refresh = function () { update(row, labels); };
      row.querySelectorAll(".measure-input, .measure-na").forEach(function (el) {
        el.addEventListener("input", refresh);
        el.addEventListener("change", refresh);
      });
    });
  }

  window.PactMeasurements = { colour: colour };
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
