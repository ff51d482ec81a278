/**
 * Access tokens for the stat endpoint (OAuth 2.0 client_credentials). One token is reused until
 * shortly before it expires, and concurrent callers share one token request.
 */
import { z } from "zod";
import type { GluuConfig } from "../config/index.js";
import { GluuError, readErrorBody } from "./errors.js";
import { type HttpSend, readJson, safeUrl } from "./http.js";

const tokenSchema = z.object({
  access_token: z.string().min(1),
  token_type: z.string().optional(),
  expires_in: z.coerce.number().positive().optional(),
  scope: z.string().optional(),
});

export interface AccessToken {
  readonly value: string;
  readonly expiresAt: number;
  readonly scopes: readonly string[];
}

export interface TokenProviderOptions {
  readonly send: HttpSend;
  readonly config: Pick<GluuConfig, "clientId" | "clientSecret" | "authMethod" | "scope">;
  /** Resolved lazily: discovery happens on first use, not at start-up. */
  readonly tokenUrl: () => Promise<string>;
  readonly now?: () => number;
}

/** Tokens without expires_in are assumed to live this long: Gluu's default is about 5 minutes. */
const DEFAULT_LIFETIME_S = 299;

/** RFC 6749 §2.3.1: id and secret are form-urlencoded before Basic encoding. */
function basicAuth(id: string, secret: string): string {
  const enc = (s: string) => encodeURIComponent(s).replace(/%20/g, "+");
  return `Basic ${Buffer.from(`${enc(id)}:${enc(secret)}`).toString("base64")}`;
}

export class TokenProvider {
  private current: AccessToken | undefined;
  private inFlight: Promise<AccessToken> | undefined;
  private readonly now: () => number;
  /** Token requests made, for doctor and the benchmark. */
  requests = 0;

  constructor(private readonly opts: TokenProviderOptions) {
    this.now = opts.now ?? Date.now;
  }

  /** A valid token: the cached one, or a fresh one shared by every concurrent caller. */
  async get(): Promise<AccessToken> {
    const cached = this.current;
    if (cached && this.now() < cached.expiresAt) return cached;
    this.inFlight ??= this.fetch().finally(() => {
      this.inFlight = undefined;
    });
    return this.inFlight;
  }

  /**
   * Drops a token the server refused. Only that token: when many requests fail with the same
   * stale token, the first invalidation wins and the others reuse its replacement.
   */
  invalidate(token: AccessToken): void {
    if (this.current?.value === token.value) this.current = undefined;
  }

  private async fetch(): Promise<AccessToken> {
    const url = await this.opts.tokenUrl();
    const { clientId, clientSecret, authMethod, scope } = this.opts.config;
    const form = new URLSearchParams({ grant_type: "client_credentials", scope });
    const headers: Record<string, string> = { "content-type": "application/x-www-form-urlencoded" };
    if (authMethod === "client_secret_basic") {
      headers.authorization = basicAuth(clientId, clientSecret);
    } else {
      form.set("client_id", clientId);
      form.set("client_secret", clientSecret);
    }
    const started = this.now();
    this.requests++;
    const res = await this.opts.send({
      method: "POST",
      url,
      headers,
      body: form.toString(),
      endpoint: "token",
    });
    if (res.status !== 200) throw tokenError(res.status, res.body, url, scope);
    const data = readJson(res, url, tokenSchema, {
      notJson: `the token endpoint ${safeUrl(url)} did not answer JSON; check GLUU_TOKEN_URL`,
      invalid: `the token endpoint ${safeUrl(url)} answered without an access_token`,
    });
    const wanted = scope.split(" ");
    // A server may omit `scope` when it granted exactly what was asked (RFC 6749 §5.1).
    const granted = data.scope !== undefined ? data.scope.split(" ").filter(Boolean) : wanted;
    const missing = wanted.filter((s) => !granted.includes(s));
    if (missing.length > 0) {
      throw new GluuError(
        "scope",
        `the client lacks scope ${missing.join(" ")}: add it to the client's scopes on the Gluu server`,
        { url: safeUrl(url) },
      );
    }
    const lifetimeMs = (data.expires_in ?? DEFAULT_LIFETIME_S) * 1000;
    // Renew a little early so a token never expires between our check and the server's.
    const skewMs = Math.min(30_000, lifetimeMs * 0.1);
    const token: AccessToken = {
      value: data.access_token,
      expiresAt: started + lifetimeMs - skewMs,
      scopes: granted,
    };
    this.current = token;
    return token;
  }
}

function tokenError(status: number, body: string, url: string, scope: string): GluuError {
  const { error } = readErrorBody(body);
  const where = safeUrl(url);
  if (status === 401 || error === "invalid_client") {
    return new GluuError(
      "auth",
      "client authentication failed: check GLUU_CLIENT_ID/GLUU_CLIENT_SECRET and that GLUU_AUTH_METHOD matches the client's token endpoint authentication method",
      { status, url: where },
    );
  }
  if (error === "invalid_scope") {
    return new GluuError(
      "scope",
      `the client lacks scope ${scope}: add it to the client's scopes on the Gluu server`,
      {
        status,
        url: where,
      },
    );
  }
  if (error === "unauthorized_client" || error === "unsupported_grant_type") {
    return new GluuError(
      "auth",
      "the client may not use the client_credentials grant: add it to the client's grant types on the Gluu server",
      { status, url: where },
    );
  }
  if (status === 404) {
    return new GluuError("not_found", `no token endpoint at ${where}: check GLUU_URL or GLUU_TOKEN_URL`, {
      status,
      url: where,
    });
  }
  if (status >= 500) {
    return new GluuError(
      "server",
      `the token endpoint answered ${status}; the Gluu server has a problem, try again later`,
      {
        status,
        url: where,
      },
    );
  }
  return new GluuError(
    "bad_response",
    `the token endpoint ${where} answered ${status}${error ? ` (${error})` : ""}`,
    {
      status,
      url: where,
    },
  );
}
