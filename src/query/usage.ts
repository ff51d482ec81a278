/**
 * The usage text shown with `help` and with every parse error. Slack mrkdwn, kept short enough
 * to read in an ephemeral reply; every backticked example is a command the parser accepts (a
 * test holds it to that), so the text cannot drift from the grammar unnoticed.
 */
import { MAX_RANGE_MONTHS, TREND_MONTHS } from "./types.js";

export const USAGE = [
  "*Usage:* `/gluu-stats [what] [public]`",
  "• _nothing_ – this month so far",
  "• `last` – the previous month",
  "• `2021-11`, `202111`, `11/2021`, `Nov 2021`, `November 2021` – one month",
  "• `nov` – the most recent November",
  "• `2021` – a whole year (up to this month)",
  `• \`2021-01..2021-06\`, \`jan 2021 to jun 2021\` – up to ${MAX_RANGE_MONTHS} months`,
  `• \`trend\` or \`12m\` – the last ${TREND_MONTHS} complete months`,
  `• \`export\` – billing export of the last ${TREND_MONTHS} complete months`,
  "• `export csv` – the billing export as a CSV file, sent to you as a direct message",
  "• `trend chart`, `2021 chart` – the months drawn as a PNG chart, sent to you as a direct message",
  "• `post`, `post 2021-11` – post the monthly summary now (admins; previous month by default)",
  "• `month-curve` – this month so far, day by day, against last month",
  "• `history` – when the monthly summary was posted",
  "• `help` – this text",
  "Add `public` to answer in the channel (files too), e.g. `2021-11 public`.",
].join("\n");
