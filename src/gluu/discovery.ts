/**
 * Where the token and stat endpoints are. Discovery is read once per process: the endpoints of
 * an issuer do not move while the bot runs.
 */
import { z } from "zod";
import { GluuError } from "./errors.js";
import { type HttpSend, readJson, safeUrl } from "./http.js";
import type { ServerFamily } from "./model.js";

export const STAT_PATHS: Readonly<Record<ServerFamily, string>> = {
  janssen: "/jans-auth/restv1/internal/stat",
  gluu4: "/oxauth/restv1/internal/stat",
};

const discoverySchema = z.looseObject({
  issuer: z.string().optional(),
  token_endpoint: z.url(),
});

export type Discovery = z.infer<typeof discoverySchema>;

export async function fetchDiscovery(send: HttpSend, issuerUrl: string): Promise<Discovery> {
  const url = `${issuerUrl}/.well-known/openid-configuration`;
  const res = await send({ method: "GET", url, endpoint: "discovery" });
  if (res.status === 404) {
    throw new GluuError(
      "not_found",
      `no OpenID discovery document at ${safeUrl(url)}: is GLUU_URL the issuer?`,
      {
        status: 404,
        url: safeUrl(url),
      },
    );
  }
  if (res.status >= 500) {
    throw new GluuError("server", `the Gluu server answered ${res.status} for discovery; try again later`, {
      status: res.status,
      url: safeUrl(url),
    });
  }
  if (res.status !== 200) {
    throw new GluuError(
      "bad_response",
      `discovery at ${safeUrl(url)} answered ${res.status}: is GLUU_URL the issuer? (or set GLUU_TOKEN_URL)`,
      { status: res.status, url: safeUrl(url) },
    );
  }
  return readJson(res, url, discoverySchema, {
    notJson: `discovery at ${safeUrl(url)} is not JSON: is GLUU_URL the issuer? (or set GLUU_TOKEN_URL)`,
    invalid: `discovery at ${safeUrl(url)} has no token_endpoint; set GLUU_TOKEN_URL`,
  });
}

/** Family from a stat endpoint URL; a custom path is treated as Gluu 4.x, the family with the interval limit. */
export function familyOfStatUrl(statUrl: string): ServerFamily {
  return new URL(statUrl).pathname.includes("/jans-auth/") ? "janssen" : "gluu4";
}
