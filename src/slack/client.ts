/**
 * The Slack Web API client's settings, one place for the app's own client and the one the
 * monthly post uses (built before the app, so nothing waits for the app to exist).
 */
import { webApi } from "@slack/bolt";

export function slackClientOptions(apiUrl: string | undefined): webApi.WebClientOptions {
  return {
    ...(apiUrl ? { slackApiUrl: apiUrl } : {}),
    // Replies go through response_urls (see response-url.ts); Web API calls are the monthly
    // post (which retries on its own schedule), the share fallback and doctor's checks: a short
    // policy, so nothing waits for half an hour.
    retryConfig: { retries: 3, factor: 2, minTimeout: 500, maxTimeout: 5000 },
  };
}

export function createSlackClient(
  botToken: string,
  apiUrl: string | undefined,
  logLevel?: webApi.LogLevel,
): webApi.WebClient {
  return new webApi.WebClient(botToken, { ...slackClientOptions(apiUrl), ...(logLevel ? { logLevel } : {}) });
}
