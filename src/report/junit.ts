/** JUnit XML for CI test tabs: one testsuite, one testcase per check. */
import type { CheckResult, Report } from "../checks/types.js";
import { countVerdicts } from "./summary.js";

// XML 1.0 forbids most control characters even when escaped: drop them.
// eslint-disable-next-line no-control-regex
const INVALID_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g;

/** Escape text for XML content and attribute values. */
export function xmlEscape(text: string): string {
  return text
    .replace(INVALID_XML, "")
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&apos;");
}

const details = (r: CheckResult): string => [...r.evidence, ...(r.fix ? [`fix: ${r.fix}`] : [])].join("\n");

function testcase(r: CheckResult): string {
  const open = `    <testcase classname="image-verify.${xmlEscape(r.severity)}" name="${xmlEscape(`${r.id}: ${r.title}`)}" time="0">`;
  switch (r.verdict) {
    case "pass":
      return `${open}</testcase>`;
    case "skip":
      return `${open}\n      <skipped message="${xmlEscape(r.summary)}"/>\n    </testcase>`;
    case "fail":
      return `${open}\n      <failure message="${xmlEscape(r.summary)}" type="${xmlEscape(r.severity)}">${xmlEscape(details(r))}</failure>\n    </testcase>`;
    case "warn":
      return `${open}\n      <system-out>${xmlEscape(`WARNING: ${r.summary}\n${details(r)}`)}</system-out>\n    </testcase>`;
  }
}

/** The report as JUnit XML; warnings pass, with their text in <system-out>. */
export function renderJUnit(report: Report): string {
  const c = countVerdicts(report);
  const suite = `  <testsuite name="image-verify" tests="${report.results.length}" failures="${c.fail}" errors="0" skipped="${c.skip}" time="${(report.durationMs / 1000).toFixed(3)}" timestamp="${xmlEscape(report.startedAt)}" hostname="${xmlEscape(report.runtime)}">`;
  const props = `    <properties>\n      <property name="image" value="${xmlEscape(report.image)}"/>\n    </properties>`;
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="image-verify" tests="${report.results.length}" failures="${c.fail}" skipped="${c.skip}">`,
    suite,
    props,
    ...report.results.map(testcase),
    "  </testsuite>",
    "</testsuites>",
    "",
  ].join("\n");
}
