/** GLUU_SERVERS variables for tests with several servers, all using the emulator's client. */
import { DEFAULT_CLIENT } from "../../src/emulator/index.js";

/** The unprefixed settings a harness sets for one server, unset: next to GLUU_SERVERS they are an error. */
export const NO_SINGLE_SERVER = {
  GLUU_URL: undefined,
  GLUU_CLIENT_ID: undefined,
  GLUU_CLIENT_SECRET: undefined,
} as const;

/** GLUU_<NAME>_URL (when given), _CLIENT_ID, _CLIENT_SECRET and (when given) _NAME. */
export function serverEnv(name: string, url?: string, displayName?: string): Record<string, string> {
  const p = `GLUU_${name.toUpperCase().replaceAll("-", "_")}_`;
  return {
    ...(url !== undefined ? { [`${p}URL`]: url } : {}),
    [`${p}CLIENT_ID`]: DEFAULT_CLIENT.id,
    [`${p}CLIENT_SECRET`]: DEFAULT_CLIENT.secret,
    ...(displayName !== undefined ? { [`${p}NAME`]: displayName } : {}),
  };
}
