/**
 * `/.well-known/openid-configuration`: what a stat client reads from it is `token_endpoint`
 * (the official exporter does exactly that); the rest is there so that generic OpenID
 * tooling pointed at the emulator finds a familiar document.
 */
import type { OrgJsonValue } from "./json.js";
import type { Family } from "./stat-endpoint.js";

export const FAMILY_PREFIX: Readonly<Record<Family, string>> = { gluu4: "/oxauth", janssen: "/jans-auth" };

const GRANT_TYPES: Readonly<Record<Family, readonly string[]>> = {
  gluu4: [
    "authorization_code",
    "implicit",
    "urn:ietf:params:oauth:grant-type:jwt-bearer",
    "urn:ietf:params:oauth:grant-type:device_code",
    "client_credentials",
    "refresh_token",
    "password",
    "urn:ietf:params:oauth:grant-type:uma-ticket",
  ],
  janssen: [
    "authorization_code",
    "implicit",
    "urn:ietf:params:oauth:grant-type:jwt-bearer",
    "urn:ietf:params:oauth:grant-type:device_code",
    "urn:ietf:params:oauth:grant-type:token-exchange",
    "urn:openid:params:grant-type:ciba",
    "client_credentials",
    "refresh_token",
    "password",
    "urn:ietf:params:oauth:grant-type:uma-ticket",
  ],
};

export function discoveryDocument(family: Family, issuer: string, statScope: string): OrgJsonValue {
  const base = `${issuer}${FAMILY_PREFIX[family]}`;
  return {
    issuer,
    authorization_endpoint: `${base}/restv1/authorize`,
    token_endpoint: `${base}/restv1/token`,
    userinfo_endpoint: `${base}/restv1/userinfo`,
    end_session_endpoint: `${base}/restv1/end_session`,
    jwks_uri: `${base}/restv1/jwks`,
    registration_endpoint: `${base}/restv1/register`,
    introspection_endpoint: `${base}/restv1/introspection`,
    revocation_endpoint: `${base}/restv1/revoke`,
    device_authorization_endpoint: `${base}/restv1/device_authorization`,
    response_types_supported: ["code", "token", "id_token", "code id_token", "code token", "id_token token"],
    response_modes_supported: ["query", "fragment", "form_post"],
    grant_types_supported: [...GRANT_TYPES[family]],
    subject_types_supported: ["public", "pairwise"],
    id_token_signing_alg_values_supported: ["RS256", "RS384", "RS512", "ES256", "ES384", "ES512", "HS256"],
    token_endpoint_auth_methods_supported: [
      "client_secret_basic",
      "client_secret_post",
      "client_secret_jwt",
      "private_key_jwt",
      "tls_client_auth",
      "self_signed_tls_client_auth",
      "none",
    ],
    scopes_supported: [...new Set(["openid", "profile", "email", "offline_access", statScope])],
    code_challenge_methods_supported: ["plain", "S256"],
    claims_parameter_supported: false,
    request_parameter_supported: true,
    request_uri_parameter_supported: true,
    frontchannel_logout_supported: true,
    backchannel_logout_supported: true,
  };
}
