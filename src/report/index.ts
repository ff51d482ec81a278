/** The reporting core: views, summaries and renderers, pure functions of plain data. */
export * from "./csv.js";
export * from "./format.js";
export * from "./json.js";
export * from "./openmetrics.js";
export * from "./slack/index.js";
export * from "./summary.js";
export * from "./text.js";
export * from "./view.js";
