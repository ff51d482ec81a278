/**
 * The token endpoint, reduced to what a statistics client uses: the `client_credentials`
 * grant with `client_secret_basic` or `client_secret_post`.
 *
 * Client authentication runs first, in the servers' `AuthenticationFilter`, before the
 * grant is looked at: a Basic header wins over body credentials, its id and secret are
 * URL-decoded (RFC 6749 §2.3.1), and a client may only use the method it is registered for.
 * Every failure there is the same 401 `invalid_client` with a `WWW-Authenticate` challenge.
 */
import { javaIsBlank, javaUrlDecode, parseJavaParams } from "./java-text.js";
import { orgJson } from "./json.js";
import { errorBody, type Family, type IssuedToken } from "./stat-endpoint.js";

export interface EmulatorClient {
  id: string;
  secret: string;
  authMethod: "client_secret_basic" | "client_secret_post";
  scopes: string[];
}

export interface TokenContext {
  readonly family: Family;
  readonly rawBody: string;
  readonly authorization: string | undefined;
  readonly clients: readonly EmulatorClient[];
  readonly now: number;
  readonly lifetimeS: number;
  readonly errorReasonEnabled: boolean;
  readonly newTokenValue: () => string;
}

export interface TokenOutcome {
  readonly status: number;
  readonly body: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly issued?: { readonly value: string; readonly token: IssuedToken; readonly clientId: string };
}

const REALM: Readonly<Record<Family, string>> = { gluu4: "oxAuth", janssen: "jans-auth" };

export function handleToken(ctx: TokenContext): TokenOutcome {
  let params: Map<string, string>;
  try {
    params = parseJavaParams(ctx.rawBody);
  } catch {
    return tokenError(400, "invalid_request", "Unable to parse form content.", ctx);
  }

  const client = authenticate(ctx, params);
  if (!client) {
    return {
      status: 401,
      body: errorBody("invalid_client", "Unable to authenticate client.", ctx.errorReasonEnabled),
      headers: {
        "content-type": "application/json;charset=UTF-8",
        "www-authenticate": `Basic realm="${REALM[ctx.family]}"`,
      },
    };
  }

  const grantType = params.get("grant_type");
  if (grantType === undefined || javaIsBlank(grantType)) {
    return tokenError(400, "invalid_request", "Grant Type is not set.", ctx);
  }
  if (grantType !== "client_credentials") {
    return tokenError(400, "unsupported_grant_type", "Unsupported Grant Type.", ctx);
  }

  // Janssen decodes `scope` once more ("it may be encoded in uma case"); harmless for
  // plain scope names, so both families are treated alike.
  let requested = params.get("scope") ?? "";
  try {
    requested = javaUrlDecode(requested);
  } catch {
    // Left as sent: the servers would fail the request, but no stat client sends this.
  }
  const granted = [...new Set(requested.split(" ").filter((s) => s !== ""))].filter((s) =>
    client.scopes.includes(s),
  );
  const value = ctx.newTokenValue();
  const token: IssuedToken = { scopes: granted, expiresAt: ctx.now + ctx.lifetimeS * 1000 };
  return {
    status: 200,
    body: orgJson({
      access_token: value,
      token_type: ctx.family === "gluu4" ? "bearer" : "Bearer",
      expires_in: ctx.lifetimeS,
      scope: granted.join(" "),
    }),
    headers: { "content-type": "application/json", "cache-control": "no-store", pragma: "no-cache" },
    issued: { value, token, clientId: client.id },
  };
}

function tokenError(status: number, error: string, reason: string, ctx: TokenContext): TokenOutcome {
  return {
    status,
    body: errorBody(error, reason, ctx.errorReasonEnabled),
    headers: { "content-type": "application/json", "cache-control": "no-store", pragma: "no-cache" },
  };
}

/** `AuthenticationFilter.processBasicAuth` / `processPostAuth`, for the token endpoint. */
function authenticate(ctx: TokenContext, params: Map<string, string>): EmulatorClient | undefined {
  const header = ctx.authorization;
  if (header !== undefined && header.slice(0, 6).toLowerCase() === "basic ") {
    const decoded = Buffer.from(header.slice(6).trim(), "base64").toString("utf8");
    const colon = decoded.indexOf(":");
    if (colon === -1) return undefined;
    let id: string;
    let secret: string;
    try {
      id = javaUrlDecode(decoded.slice(0, colon));
      secret = javaUrlDecode(decoded.slice(colon + 1));
    } catch {
      return undefined;
    }
    const client = ctx.clients.find((c) => c.id === id && c.authMethod === "client_secret_basic");
    return client?.secret === secret ? client : undefined;
  }
  const id = params.get("client_id") ?? "";
  const secret = params.get("client_secret") ?? "";
  if (id === "" || secret === "") return undefined;
  const client = ctx.clients.find((c) => c.id === id && c.authMethod === "client_secret_post");
  return client?.secret === secret ? client : undefined;
}
