/**
 * The output formats of `report` and `export`. A module of its own: main.ts checks `--format`
 * before it loads a command, and the command's renderer imports the type from here, not from
 * main.ts.
 */
export const OUTPUT_FORMATS = ["text", "json", "csv", "openmetrics"] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];
