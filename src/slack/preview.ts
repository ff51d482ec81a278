/**
 * A Slack message as plain text, for the demo and the CLI: roughly what Slack shows, readable in
 * a terminal. Plus a Block Kit Builder link to see the real thing.
 */
import type { MessageBlock } from "../report/slack/blocks.js";
import { tableLines } from "../report/slack/classic.js";

type Text = { readonly type: string; readonly text: string };

function plain(text: string): string {
  return text.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");
}

function textOf(value: unknown): string | undefined {
  if (typeof value === "object" && value !== null && "text" in value) {
    const t = (value as Text).text;
    return typeof t === "string" ? plain(t) : undefined;
  }
  return undefined;
}

const indent = (s: string) =>
  s
    .split("\n")
    .map((l) => `  ${l}`)
    .join("\n");

export function previewMessage(message: {
  readonly text: string;
  readonly blocks: readonly MessageBlock[];
}): string {
  const out: string[] = [];
  for (const block of message.blocks) {
    switch (block.type) {
      case "header":
        out.push(`━━ ${textOf(block.text) ?? ""} ━━`);
        break;
      case "section": {
        const t = textOf(block.text);
        if (t) out.push(indent(t));
        const fields = (block.fields ?? []).map((f) => textOf(f) ?? "");
        for (let i = 0; i < fields.length; i += 2) {
          const left = (fields[i] ?? "").split("\n");
          const right = (fields[i + 1] ?? "").split("\n");
          const width = Math.max(...left.map((l) => l.length), 0) + 4;
          for (let j = 0; j < Math.max(left.length, right.length); j++) {
            out.push(indent(`${(left[j] ?? "").padEnd(width)}${right[j] ?? ""}`.trimEnd()));
          }
        }
        break;
      }
      case "context":
        out.push(indent(block.elements.map((e) => textOf(e) ?? "").join("  ·  ")));
        break;
      case "divider":
        out.push(indent("─".repeat(40)));
        break;
      case "actions":
        out.push(
          indent(
            block.elements.map((e) => `[ ${textOf("text" in e ? e.text : undefined) ?? e.type} ]`).join(" "),
          ),
        );
        break;
      case "table":
        out.push(indent(tableLines(block).join("\n")));
        break;
      case "data_visualization": {
        // A terminal cannot draw Slack's chart: its title and series say what Slack draws.
        const { series, axis_config: axis } = block.chart;
        const first = axis.categories[0] ?? "";
        const last = axis.categories.at(-1) ?? "";
        out.push(
          indent(
            `📈 ${block.title} (line chart, ${first} – ${last}: ${series.map((s) => s.name).join(", ")})`,
          ),
        );
        break;
      }
      default:
        out.push(indent(`(${block.type} block)`));
    }
  }
  return out.join("\n");
}

/** Opens the message in Slack's Block Kit Builder (needs a Slack login to view). */
export function blockKitBuilderUrl(message: { readonly blocks: readonly MessageBlock[] }): string {
  return `https://app.slack.com/block-kit-builder#${encodeURIComponent(JSON.stringify({ blocks: message.blocks }))}`;
}
