/** Shared by the parser tests: fixtures, the seed's figures, and the bad_response check. */
import { readFileSync } from "node:fs";
import { expect } from "vitest";
import { GluuError } from "../../../src/gluu/errors.js";
import type { MonthStats } from "../../../src/gluu/model.js";

export const fixture = (name: string): string =>
  readFileSync(new URL(`../../fixtures/stat/${name}`, import.meta.url), "utf8");

/** The seed document's sample: November 2021, MAU 2, access tokens 144 and 10. */
export const SEED: MonthStats[] = [
  {
    month: { year: 2021, month: 11 },
    mau: 2,
    tokens: {
      authorization_code: { access_token: 144, id_token: 144, refresh_token: 0, uma_token: 0 },
      client_credentials: { access_token: 10, id_token: 0, refresh_token: 0, uma_token: 0 },
    },
  },
];

export function badResponse(run: () => unknown): GluuError {
  try {
    run();
  } catch (err) {
    expect(err).toBeInstanceOf(GluuError);
    expect((err as GluuError).code).toBe("bad_response");
    return err as GluuError;
  }
  return expect.unreachable("expected GluuError(bad_response)");
}
