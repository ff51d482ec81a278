/**
 * `npm run emulator`: a Gluu 4.x or Janssen statistics endpoint on this machine, with fake
 * data, for trying the bot (or curl) without a real server.
 */

import { readFileSync } from "node:fs";
import { errorText } from "../errors/index.js";
import { addMonths, monthAt, monthKey } from "../months.js";
import { banner, parseCli, USAGE } from "./cli.js";
import { FAMILY_PREFIX } from "./discovery.js";
import { startEmulator } from "./server.js";

async function main(): Promise<void> {
  const parsed = parseCli(process.argv.slice(2), process.env);
  if (parsed.kind === "help") {
    process.stdout.write(USAGE);
    return;
  }
  if (parsed.kind === "error") {
    process.stderr.write(`${parsed.message}\n\n${USAGE}`);
    process.exitCode = 2;
    return;
  }
  const o = parsed.options;
  let tls: { key: string; cert: string } | undefined;
  if (o.tls) {
    try {
      tls = { key: readFileSync(o.tls.keyPath, "utf8"), cert: readFileSync(o.tls.certPath, "utf8") };
    } catch (err) {
      process.stderr.write(`Cannot read the TLS key or certificate: ${(err as Error).message}\n`);
      process.exitCode = 2;
      return;
    }
  }

  const emulator = await startEmulator({
    family: o.family,
    host: o.host,
    port: o.port,
    intervalLimitS: o.intervalLimitS,
    errorReasonEnabled: o.errorReasonEnabled,
    seed: o.seed,
    tokenLifetimeS: o.tokenLifetimeS,
    order: o.order,
    clients: [
      { id: o.clientId, secret: o.clientSecret, authMethod: o.authMethod, scopes: ["openid", "jans_stat"] },
    ],
    ...(tls ? { tls } : {}),
    onRequest: (r) => {
      const time = new Date(r.at).toISOString().slice(11, 19);
      process.stdout.write(
        `${time} ${r.method} ${r.path}${r.query ? `?${r.query}` : ""} → ${r.status || "reset"}\n`,
      );
    },
  });
  const last = addMonths(monthAt(Date.now()), -1);
  const paths = { stat: emulator.statPath, token: `${FAMILY_PREFIX[o.family]}/restv1/token` };
  const months = { last: monthKey(last), yearBefore: monthKey(addMonths(last, -12)) };
  process.stdout.write(`${banner(o, emulator.url, paths, months)}\n\n`);

  const stop = (): void => {
    emulator.close().then(
      () => process.stdout.write("Stopped.\n"),
      (err: unknown) => {
        process.stderr.write(`Error while stopping: ${String(err)}\n`);
        process.exitCode = 1;
      },
    );
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}

main().catch((err: unknown) => {
  const code = (err as NodeJS.ErrnoException).code;
  process.stderr.write(
    code === "EADDRINUSE"
      ? "The port is in use: choose another with --port.\n"
      : `The emulator could not start: ${errorText(err)}\n`,
  );
  process.exitCode = 1;
});
