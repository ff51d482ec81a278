/** Shared set-up for the emulator's HTTP tests: every emulator started here is closed after each test. */

import { type Dispatcher, request } from "undici";
import { afterEach } from "vitest";
import { type Emulator, type EmulatorOptions, startEmulator } from "../../src/emulator/index.js";
import { type MonthStats, tokenCounts } from "../../src/gluu/model.js";
import { month } from "../../src/months.js";

const open: Emulator[] = [];

afterEach(async () => {
  await Promise.all(open.splice(0).map((e) => e.close()));
});

/** Fixed data, so answers can be checked exactly: three months with data, 2021-12 without. */
export const DATA: MonthStats[] = [
  {
    month: month(2021, 10),
    mau: 1_500,
    tokens: {
      authorization_code: tokenCounts({ access_token: 9_000, id_token: 8_990, refresh_token: 4_000 }),
    },
  },
  {
    month: month(2021, 11),
    mau: 2,
    tokens: {
      authorization_code: tokenCounts({ access_token: 144, id_token: 144 }),
      client_credentials: tokenCounts({ access_token: 10 }),
    },
  },
  {
    month: month(2022, 1),
    mau: 12_345_678,
    tokens: { "urn:ietf:params:oauth:grant-type:uma-ticket": tokenCounts({ uma_token: 7 }) },
  },
];

export async function emulator(opts: Partial<EmulatorOptions> = {}): Promise<Emulator> {
  const e = await startEmulator({ family: "gluu4", data: DATA, ...opts });
  open.push(e);
  return e;
}

export const tokenPath = (e: Emulator): string =>
  `${e.family === "gluu4" ? "/oxauth" : "/jans-auth"}/restv1/token`;

export function basic(id: string, secret: string): string {
  return `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString("base64")}`;
}

export interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

export async function call(
  e: Emulator,
  path: string,
  init: {
    method?: "GET" | "POST" | "PUT";
    headers?: Record<string, string>;
    form?: string;
    dispatcher?: Dispatcher;
  } = {},
): Promise<Answer> {
  const headers = { ...init.headers };
  if (init.form !== undefined) headers["content-type"] = "application/x-www-form-urlencoded";
  const res = await request(`${e.url}${path}`, {
    method: init.method ?? (init.form !== undefined ? "POST" : "GET"),
    headers,
    ...(init.form !== undefined ? { body: init.form } : {}),
    ...(init.dispatcher ? { dispatcher: init.dispatcher } : {}),
  });
  return { status: res.statusCode, headers: res.headers, text: await res.body.text() };
}

/** A token for the default client, with the stat scope unless told otherwise. */
export async function token(e: Emulator, scope = "jans_stat"): Promise<string> {
  const a = await call(e, tokenPath(e), {
    headers: { authorization: basic("stat-client", "stat-secret") },
    form: `grant_type=client_credentials&scope=${encodeURIComponent(scope)}`,
  });
  if (a.status !== 200) throw new Error(`token: ${a.status} ${a.text}`);
  return (JSON.parse(a.text) as { access_token: string }).access_token;
}

export function stat(e: Emulator, bearer: string, query: string): Promise<Answer> {
  return call(e, `${e.statPath}?${query}`, { headers: { authorization: `Bearer ${bearer}` } });
}
