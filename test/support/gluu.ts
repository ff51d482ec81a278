/** Builds a stat stack pointed at an emulator, for integration tests. */
import { defaultGluuConfig, type GluuConfig } from "../../src/config/index.js";
import type { Emulator } from "../../src/emulator/index.js";
import { createGluuStack, type GluuStack } from "../../src/gluu/index.js";

export const CLIENT_ID = "stat-client";
export const CLIENT_SECRET = "stat-secret";

export function stackFor(emulator: Emulator, overrides: Partial<GluuConfig> = {}): GluuStack {
  return createGluuStack(
    defaultGluuConfig({ url: emulator.url, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET }, overrides),
  );
}
