/**
 * What a reply shows, decided once (by src/answer) and rendered by every output: Slack blocks,
 * terminal text, CSV, JSON, OpenMetrics. These are the renderers' only inputs, so two outputs
 * of one answer cannot disagree about a figure, a label or which buttons exist.
 */

import type { MonthStats } from "../gluu/model.js";
import type { Month, MonthProgress } from "../months.js";
import type { BillingExport, Change, LicenseUsage, SeriesSummary, TokenTotals } from "./summary.js";

/** Where the figures came from, and how times are shown. */
export interface Source {
  /** The Gluu server's host, shown in every reply's context line. */
  readonly host: string;
  /** When the oldest figure shown was fetched (ms since epoch). */
  readonly fetchedAt: number;
  /** IANA time zone for the times shown. */
  readonly timeZone: string;
  /** GLUU_MAU_LIMIT: the licensed MAU, when configured. */
  readonly licensedMau?: number;
}

/** A button that runs a command: `value` is canonical command text, parsed like a typed one. */
export interface CommandButton {
  readonly value: string;
}

/** A button leading to another month, labelled with that month. */
export interface MonthButton extends CommandButton {
  readonly month: Month;
}

export interface MonthButtons {
  readonly prev?: MonthButton;
  /** Absent at the month in progress: there is nothing after it yet. */
  readonly next?: MonthButton;
  readonly trend: CommandButton;
  readonly share?: CommandButton;
}

export interface MonthView extends Source {
  readonly kind: "month";
  readonly month: Month;
  /** The month in progress: its figures are "so far". */
  readonly current: boolean;
  /** How far the month in progress is ("day 2 of 31"); only with `current`. */
  readonly progress?: MonthProgress;
  readonly stats?: MonthStats;
  /**
   * The calendar month before, when the server had data for it. For the month in progress it
   * is shown for scale (its final figure), not as a change.
   */
  readonly previous?: MonthStats;
  /** Against `previous`; absent when either month has no data, and for the month in progress. */
  readonly change?: Change;
  /** Token totals of `stats`. */
  readonly tokens?: TokenTotals;
  /** `stats` against the licensed limit, when one is configured. */
  readonly usage?: LicenseUsage;
  /** The month in progress only: last month's MAU at this point, when a sample of it is kept. */
  readonly pace?: Pace;
  /** The month as a one-row table, for the tabular outputs (CSV, JSON, OpenMetrics). */
  readonly summary: SeriesSummary;
  /** Absent on a shared (in-channel) answer: nobody should step through someone else's message. */
  readonly buttons?: MonthButtons;
}

/** What a series is: it decides its share button and, in future, its chart and wording. */
export type SeriesKind = "range" | "year" | "trend";

export interface SeriesView extends Source {
  readonly kind: "series";
  readonly series: SeriesKind;
  readonly title: string;
  readonly summary: SeriesSummary;
  readonly share?: CommandButton;
}

export interface ExportView extends Source {
  readonly kind: "export";
  readonly export: BillingExport;
  readonly summary: SeriesSummary;
  readonly share?: CommandButton;
}

export type View = MonthView | SeriesView | ExportView;

/** The monthly summary post: a closed month, the year before it and the last 12 months. */
export interface MonthlySummaryView extends Source {
  readonly month: Month;
  readonly detail: MonthView;
  readonly lastYear: Month;
  /** Against the same month a year earlier; absent when either has no data. */
  readonly yearOverYear?: Change;
  readonly trend: SeriesView;
  readonly export: BillingExport;
  /** When the month crossed each licence threshold, when its samples tell. */
  readonly crossings?: readonly Crossing[];
}

/** The month in progress has reached a threshold of the licensed MAU. */
export interface LicenseAlertView extends Source {
  readonly kind: "license-alert";
  readonly month: Month;
  /** Percent of the limit, e.g. 80. */
  readonly threshold: number;
  readonly mau: number;
  readonly usage: LicenseUsage;
  readonly progress: MonthProgress;
  /** The previous month's final figures, for scale. */
  readonly previous?: MonthStats;
}

/** One delivery (a monthly summary or a licence alert), as `/gluu-stats history` lists it. */
export interface HistoryLine {
  /** The month's key (`202611`); shown as written when it does not parse. */
  readonly month: string;
  /** A licence alert at this percentage of the limit; absent for a monthly summary. */
  readonly alert?: number;
  /** A file attached to the month's summary in its thread; absent for the summary itself. */
  readonly file?: "chart" | "csv";
  /** The server's name, with several Gluu servers; absent with one. */
  readonly server?: string;
  readonly channel: string;
  readonly at: number;
  readonly trigger: string;
  /** `posting`: claimed and not yet recorded, i.e. being posted right now. */
  readonly outcome: "posted" | "failed" | "skipped" | "posting";
  readonly error?: string;
  readonly link?: string;
  readonly attempts?: number;
}

/** Last month's MAU at this point of the month (its sample at the same day and time). */
export interface Pace {
  readonly mau: number;
  /** When that sample was taken. */
  readonly at: number;
}

/** When a month crossed a licence threshold, read off its samples. */
export interface Crossing {
  readonly threshold: number;
  /** The first sample at or above the threshold. */
  readonly at: number;
  readonly mau: number;
  /** The month's first sample was already above it: crossed at or before `at`. */
  readonly byThen: boolean;
}

export interface CurveDay {
  readonly day: number;
  /** This month's MAU at the day's last sample; absent without one (or after today). */
  readonly current?: number;
  readonly previous?: number;
}

/** `/gluu-stats month-curve`: the month in progress day by day against the month before. */
export interface MonthCurveView {
  readonly kind: "curve";
  readonly month: Month;
  readonly previousMonth: Month;
  readonly today: number;
  readonly days: readonly CurveDay[];
  /** Days that have a sample, per month. */
  readonly daysWithData: { readonly current: number; readonly previous: number };
  readonly host: string;
  readonly timeZone: string;
}

/** The App Home of one user: where things stand, without typing a command. */
export type HomeView =
  | { readonly kind: "refused"; readonly reason: string }
  | {
      readonly kind: "home";
      readonly host: string;
      /** With several servers: its name in GLUU_SERVERS, which its buttons carry. */
      readonly server?: string;
      readonly timeZone: string;
      /** The month in progress, the last complete month, the 12-month trend; absent while fetching or failed. */
      readonly figures?: {
        readonly current: MonthView;
        readonly last: MonthView;
        readonly trend: SeriesView;
      };
      /** Figures are on their way: the Home is published again when they arrive. */
      readonly fetching?: boolean;
      /** Why there are no figures (the server is down, busy…): the sentence replies use. */
      readonly unavailable?: string;
      /** The server's state from its last answer, one sentence. */
      readonly health?: string;
      /** This month against last month, from the bot's samples. */
      readonly curve?: MonthCurveView;
      /** The monthly post, when configured. */
      readonly schedule?: { readonly nextRun?: number; readonly deliveries: readonly HistoryLine[] };
      /** Admins get the manual post button. */
      readonly admin: boolean;
    };

/** `all [month]`: every server a person may see, one row each (answer/compare.ts). */
export interface ComparisonRow {
  readonly name: string;
  readonly displayName: string;
  /** Absent: unavailable (see `unavailable`) or no data for the month. */
  readonly stats?: MonthStats;
  /** The server answered but had no data for the month: "no data", never zero. */
  readonly noData?: boolean;
  /** Against the month before; absent for the month in progress and when either has no data. */
  readonly change?: Change;
  readonly tokens?: number;
  readonly usage?: LicenseUsage;
  /** Why the row has no figures: one short phrase. */
  readonly unavailable?: string;
}

export interface ComparisonSum {
  /** The servers whose figures are added (those with data for the month). */
  readonly servers: number;
  readonly mau: number;
  readonly tokens: number;
  /** Only when every added server has the month before too, so like is compared with like. */
  readonly change?: Change;
}

export interface ComparisonView {
  readonly kind: "comparison";
  readonly month: Month;
  readonly current: boolean;
  readonly progress?: MonthProgress;
  readonly rows: readonly ComparisonRow[];
  /** Absent when fewer than two servers have figures: a sum of one is that server's row. */
  readonly sum?: ComparisonSum;
  /** When the oldest figure shown was fetched; absent when no server answered. */
  readonly fetchedAt?: number;
  readonly timeZone: string;
}
