/**
 * Entry point of the stat parsers. The caller says which format it asked for, because
 * OpenMetrics answers arrive labelled `application/json`; the body itself has the last word,
 * since a proxy, an old server or a misconfigured one may answer in the other format.
 */

import type { StatFormat } from "../../config/index.js";
import { GluuError } from "../errors.js";
import type { MonthStats } from "../model.js";
import { parseJsonStats, quoteExcerpt } from "./json.js";
import { parseOpenMetricsStats } from "./openmetrics.js";

export { parseJsonStats, quoteExcerpt } from "./json.js";
export type { Sample } from "./openmetrics.js";
export { parseGoFloat, parseOpenMetricsStats, readSamples } from "./openmetrics.js";

/** A sample line start: a metric name followed by a label set or by a value. */
const SAMPLE_START = /^[A-Za-z_:][A-Za-z0-9_:]*(?:[ \t]*\{|[ \t]+[-+.0-9IiNn])/;
const HTML_TITLE = /<title[^>]*>([^<]{1,200})<\/title>/i;

/** What a body is, judged from its first non-blank character(s). */
export function detectStatFormat(body: string, asked: StatFormat): StatFormat | "html" | "empty" {
  const start = body.search(/[^\s\uFEFF]/);
  if (start === -1) return "empty";
  const first = body[start];
  if (first === "<") return "html";
  if (first === "{" || first === "[") return "json";
  if (first === "#") return "openmetrics";
  if (SAMPLE_START.test(body.slice(start, start + 256))) return "openmetrics";
  return asked;
}

function htmlError(body: string): GluuError {
  const title = HTML_TITLE.exec(body.slice(0, 4096))?.[1]?.trim();
  const shown = title ? quoteExcerpt(title, 0, 60) : quoteExcerpt(body.trimStart());
  return new GluuError(
    "bad_response",
    `The statistics endpoint sent an HTML page (${shown}) instead of statistics. ` +
      "Check that the server URL points at the Gluu or Janssen server itself, not at a proxy, login or error page.",
  );
}

/**
 * Parses a 200 answer of the statistics endpoint into months in calendar order. `format` is
 * what was asked for; a body that is plainly the other format is read as what it is.
 * Throws GluuError("bad_response") with a message a person can act on, and nothing else.
 */
export function parseStatBody(body: string, format: StatFormat): MonthStats[] {
  switch (detectStatFormat(body, format)) {
    case "empty":
      throw new GluuError(
        "bad_response",
        "The statistics endpoint sent an empty response. Try again; if it persists, check the server logs.",
      );
    case "html":
      throw htmlError(body);
    case "json":
      return parseJsonStats(body);
    case "openmetrics":
      return parseOpenMetricsStats(body);
  }
}
