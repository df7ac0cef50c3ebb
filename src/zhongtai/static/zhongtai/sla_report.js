// The SLA report's charts (ECharts). The page embeds its data with Django's json_script
// (#sla-report-data): the CSP forbids inline scripts and inline styles, so tooltips are
// drawn by ECharts itself ("richText") rather than as HTML with style attributes.
(function () {
  "use strict";

  var PALETTE = ["#198754", "#dc3545", "#6c757d", "#0d6efd", "#fd7e14"];

  function readData() {
    var el = document.getElementById("sla-report-data");
    return el ? JSON.parse(el.textContent) : null;
  }

  function base() {
    return {
      animation: false,
      color: PALETTE,
      textStyle: { fontFamily: "inherit" },
      grid: { left: 48, right: 16, top: 40, bottom: 64 },
      tooltip: { trigger: "axis", renderMode: "richText", axisPointer: { type: "shadow" } },
      legend: { top: 4 }
    };
  }

  // 83.3 → "83.3 %", as the table writes it; nothing decided → "—".
  function percent(value) {
    return value === null || value === undefined ? "—" : Number(value).toFixed(1) + " %";
  }

  function rotate(labels) {
    return labels.length > 5 ? 30 : 0;
  }

  function attainment(el, data, text) {
    var option = base();
    option.tooltip.valueFormatter = percent;
    option.legend.show = false;
    option.xAxis = {
      type: "category",
      data: data.labels,
      axisLabel: { interval: 0, rotate: rotate(data.labels), width: 120, overflow: "truncate" }
    };
    option.yAxis = { type: "value", min: 0, max: 100, name: text.percentMet };
    option.series = [
      {
        name: text.percentMet,
        type: "bar",
        data: data.percent,
        barMaxWidth: 48,
        label: { show: true, position: "top", formatter: function (item) {
          return percent(item.value);
        } }
      }
    ];
    return option;
  }

  function histogram(el, data, text) {
    var option = base();
    option.color = ["#0d6efd", "#fd7e14"];
    option.xAxis = { type: "category", data: data.buckets, axisLabel: { interval: 0, rotate: 30 } };
    option.yAxis = { type: "value", minInterval: 1, name: text.timers };
    option.series = data.series.map(function (series) {
      return { name: series.name, type: "bar", data: series.data, barMaxWidth: 24 };
    });
    return option;
  }

  function draw() {
    var data = readData();
    if (!data || !window.echarts) {
      return;
    }
    var charts = [];
    var plans = [
      ["chart-attainment", attainment, data.attainment],
      ["chart-histogram", histogram, data.histogram]
    ];
    plans.forEach(function (plan) {
      var el = document.getElementById(plan[0]);
      if (!el) {
        return;
      }
      var chart = window.echarts.init(el, null, { renderer: "canvas" });
      chart.setOption(plan[1](el, plan[2], data.text));
      charts.push(chart);
    });
    window.addEventListener("resize", function () {
      charts.forEach(function (chart) {
        chart.resize();
      });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
