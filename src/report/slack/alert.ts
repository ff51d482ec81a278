/**
 * A licence alert: the month in progress has reached a threshold of the licensed MAU. It says
 * what was crossed, the MAU so far against the limit, how far into the month, and the previous
 * month's final figure for scale, so the reader can judge the pace without opening anything.
 */
import { monthLabel } from "../../months.js";
import { formatCount, formatUsage, formatUsagePercent } from "../format.js";
import { licenseUsage } from "../summary.js";
import type { LicenseAlertView } from "../view.js";
import {
  escapeMrkdwn,
  fallback,
  HLL_NOTE,
  header,
  type SlackMessage,
  section,
  sourceContext,
} from "./primitives.js";

export function alertHeadline(view: LicenseAlertView): string {
  return view.usage.over && view.threshold >= 100
    ? "Over the licensed MAU"
    : `${view.threshold} % of the licensed MAU reached`;
}

function scaleLine(view: LicenseAlertView): string {
  const prev = view.previous;
  if (!prev) return "No figures for the month before, for scale.";
  const usage = licenseUsage(prev.mau, view.usage.limit);
  return `${monthLabel(prev.month)} ended at ${formatCount(prev.mau)} MAU (${formatUsagePercent(usage)} of the limit${usage.over ? ", over it" : ""}).`;
}

export function renderLicenseAlert(view: LicenseAlertView): SlackMessage {
  const month = monthLabel(view.month);
  const day = `day ${view.progress.day} of ${view.progress.days}`;
  const usage = formatUsage(view.mau, view.usage);
  return {
    text: fallback(
      `Gluu licence alert: ${month} has reached ${view.threshold} % of the licensed MAU (${usage}, ${day}).`,
    ),
    blocks: [
      header(`:warning: ${alertHeadline(view)}`),
      section(
        `*${escapeMrkdwn(month)}* has reached *${view.threshold} %* of the licensed MAU on ${day}:\n*${escapeMrkdwn(usage)}* so far.`,
      ),
      section(escapeMrkdwn(scaleLine(view))),
      sourceContext(
        view.host,
        view.fetchedAt,
        view.timeZone,
        `${HLL_NOTE}; one alert per threshold and month.`,
      ),
    ],
  };
}
