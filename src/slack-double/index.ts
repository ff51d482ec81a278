/**
 * Local stand-ins for Slack (Web API, response_urls, Socket Mode) plus helpers that build and
 * sign requests the way Slack does. Used by the app's tests, `npm run demo` and the benchmark.
 *
 * HTTP mode:
 *   const double = await startSlackDouble();
 *   const app = new App({ token: double.botToken, signingSecret, deferInitialization: true,
 *     clientOptions: { slackApiUrl: double.apiUrl, retryConfig: { retries: 2, minTimeout: 10, maxTimeout: 50 } } });
 *   await app.init();                                    // auth.test against the double
 *   const server = await app.start({ port: 0, host: "127.0.0.1" });
 *   const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/slack/events`;
 *   await sendSignedCommand(url, signingSecret, slashCommandBody({ text: "", response_url: double.responseUrl() }));
 *   await double.waitForResponses(1);
 *   await app.stop(); await double.close();
 *
 * Socket Mode: add `socketMode: true, appToken: double.appToken`, `await app.start()`, then
 * `await double.socket.sendSlashCommand({ text: "" })`; stop with
 * `await app.stop(); await double.socket.disconnected(); await double.close();` in that order.
 *
 * Files: `client.filesUploadV2({ channel_id, file_uploads: [...] })` goes through
 * files.getUploadURLExternal, a POST to the double's upload_url and files.completeUploadExternal;
 * `await double.waitForFiles(n)` then gives each file's bytes, channel and thread.
 *
 * A workspace refusing newer block types: `startSlackDouble({ refuseBlockTypes: ["table"] })` or
 * `double.refuseBlockTypes = ["table"]` at run time.
 */
export { startSlackDouble } from "./double.js";
export { createMemoryLogger, type LogLine, type MemoryLogger } from "./logger.js";
export {
  appHomeOpened,
  blockActionBody,
  blockActionPayload,
  DOUBLE_DEFAULTS,
  eventCallbackBody,
  eventCallbackPayload,
  slashCommandBody,
  slashCommandFields,
} from "./payloads.js";
export { type SendSignedOptions, type SignedResponse, sendSignedCommand, signRequest } from "./signing.js";
export type {
  BlockActionFields,
  DoubleUser,
  FaultSpec,
  MethodHandler,
  RecordedAck,
  RecordedFile,
  RecordedPost,
  RecordedResponse,
  RecordedUpload,
  ResponseUrlBody,
  SlackDouble,
  SlackDoubleOptions,
  SlashCommandFields,
  SocketModeDoubleApi,
  SocketSendOptions,
} from "./types.js";
