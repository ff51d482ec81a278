/** The reporting core: summaries and renderers, pure functions of plain data. */
export * from "./blocks.js";
export * from "./csv.js";
export * from "./format.js";
export * from "./json.js";
export * from "./summary.js";
export * from "./text.js";
