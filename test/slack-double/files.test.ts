/**
 * File uploads the way Slack takes them now (files.upload is retired): files.getUploadURLExternal,
 * a POST of the bytes to the upload_url, files.completeUploadExternal. Driven end to end by the
 * real web client's filesUploadV2.
 */
import { webApi } from "@slack/bolt";
import { request } from "undici";
import { afterEach, describe, expect, it } from "vitest";
import {
  createMemoryLogger,
  type SlackDouble,
  type SlackDoubleOptions,
  startSlackDouble,
} from "../../src/slack-double/index.js";

const RETRY = { retries: 2, minTimeout: 10, maxTimeout: 20 };
// Starts like a PNG (signature and IHDR length), then bytes that are not valid UTF-8.
const PNG = Buffer.from([
  0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0xff, 0xfe, 0x80,
]);
const CSV = "month,mau\n2024-05,42\n2024-06,57 €\n";

let double: SlackDouble | undefined;

afterEach(async () => {
  await double?.close();
  double = undefined;
});

async function start(opts: SlackDoubleOptions = {}): Promise<SlackDouble> {
  double = await startSlackDouble(opts);
  return double;
}

function client(d: SlackDouble, retryConfig: webApi.RetryOptions = RETRY): webApi.WebClient {
  return new webApi.WebClient(d.botToken, {
    slackApiUrl: d.apiUrl,
    retryConfig,
    logger: createMemoryLogger(),
  });
}

async function platformError(p: Promise<unknown>): Promise<{ error?: string; needed?: string } | undefined> {
  try {
    await p;
  } catch (err) {
    if (err instanceof Error && "data" in err)
      return (err as { data: { error?: string; needed?: string } }).data;
    throw err;
  }
  return undefined;
}

describe("filesUploadV2 against the double", () => {
  it("uploads two files into a thread: bytes, names, titles, channel and thread are recorded", async () => {
    const d = await start();
    const res = await client(d).filesUploadV2({
      channel_id: "C0STATS",
      thread_ts: "1700000000.000100",
      initial_comment: "MAU for June",
      file_uploads: [
        { file: PNG, filename: "mau.png", title: "MAU chart", alt_text: "a line going up" },
        { file: Buffer.from(CSV), filename: "mau.csv", title: "MAU table" },
      ],
    });
    expect(res.ok).toBe(true);

    const files = await d.waitForFiles(2);
    expect(files.map((f) => [f.filename, f.title, f.channel, f.threadTs])).toEqual([
      ["mau.png", "MAU chart", "C0STATS", "1700000000.000100"],
      ["mau.csv", "MAU table", "C0STATS", "1700000000.000100"],
    ]);
    expect(files[0]?.bytes.equals(PNG)).toBe(true);
    expect(files[1]?.bytes.toString("utf8")).toBe(CSV);
    expect(files[0]).toMatchObject({ altText: "a line going up", initialComment: "MAU for June" });
    expect(files[0]?.id).toMatch(/^F[0-9A-Z]+$/);
    expect(files[0]?.completedAt).toBeGreaterThan(0);

    // How the client spoke: form-encoded method calls, the bytes as multipart, `files` as JSON.
    const announce = d.calls.filter((c) => c.method === "files.getUploadURLExternal");
    expect(announce.map((c) => c.body)).toEqual([
      { filename: "mau.png", length: String(PNG.length), alt_text: "a line going up" },
      { filename: "mau.csv", length: String(Buffer.byteLength(CSV)) },
    ]);
    expect(d.uploads.map((u) => [u.fileId, u.size, u.status])).toEqual(
      files.map((f) => [f.id, f.bytes.length, 200]),
    );
    expect(d.uploads[0]?.contentType).toMatch(/^multipart\/form-data; boundary=/);
    const [complete] = d.calls.filter((c) => c.method === "files.completeUploadExternal");
    expect(complete?.body).toMatchObject({
      channel_id: "C0STATS",
      thread_ts: "1700000000.000100",
      initial_comment: "MAU for June",
      files: [
        { id: files[0]?.id, title: "MAU chart" },
        { id: files[1]?.id, title: "MAU table" },
      ],
    });

    // filesUploadV2 answers with every completeUploadExternal answer.
    const completion = (res as unknown as { files: Array<{ files: Array<Record<string, unknown>> }> }).files;
    expect(completion[0]?.files).toMatchObject([
      { id: files[0]?.id, name: "mau.png", title: "MAU chart", mimetype: "image/png", size: PNG.length },
      {
        id: files[1]?.id,
        name: "mau.csv",
        title: "MAU table",
        mimetype: "text/csv",
        size: Buffer.byteLength(CSV),
      },
    ]);

    // The channel shows one file message in the thread.
    const history = await client(d).conversations.history({ channel: "C0STATS" });
    expect(history.messages).toHaveLength(1);
    expect(history.messages?.[0]).toMatchObject({
      text: "MAU for June",
      thread_ts: "1700000000.000100",
      ts: files[0]?.messageTs,
      files: [{ id: files[0]?.id }, { id: files[1]?.id }],
    });
  });

  it("a single file with content and no channel is completed but not shared", async () => {
    const d = await start();
    await client(d).filesUploadV2({ content: CSV, filename: "report.csv" });
    const [file] = await d.waitForFiles(1);
    expect(file).toMatchObject({ filename: "report.csv", title: "report.csv" });
    expect(file?.channel).toBeUndefined();
    expect(file?.bytes.toString()).toBe(CSV);
  });

  it("answers missing_scope, naming files:write, when the token lacks it", async () => {
    const d = await start({ scopes: ["commands", "chat:write"] });
    const data = await platformError(
      client(d).filesUploadV2({ channel_id: "C1", file: PNG, filename: "mau.png" }),
    );
    expect(data).toMatchObject({ error: "missing_scope", needed: "files:write" });
    expect(d.calls.map((c) => [c.method, c.error])).toEqual([
      ["files.getUploadURLExternal", "missing_scope"],
    ]);
    expect(d.files).toEqual([]);
    // Other methods are not held to it.
    expect((await client(d).chat.postMessage({ channel: "C1", text: "still fine" })).ok).toBe(true);
  });

  it("the default scopes include files:write", async () => {
    const d = await start();
    const auth = await client(d).auth.test();
    expect(auth.response_metadata?.scopes).toContain("files:write");
  });

  it("a 500 from the upload_url is retried by the client; the retry lands", async () => {
    const d = await start();
    d.faults = { method: "upload_url", status: 500, times: 1 };
    await client(d).filesUploadV2({ channel_id: "C1", file: PNG, filename: "mau.png" });
    const [file] = await d.waitForFiles(1);
    expect(file?.bytes.equals(PNG)).toBe(true);
    expect(d.uploads.map((u) => [u.status, u.error])).toEqual([
      [500, "internal_error"],
      [200, undefined],
    ]);
  });

  it("an upload_url that keeps failing makes filesUploadV2 reject, and nothing is completed", async () => {
    const d = await start();
    d.faults = { method: "upload_url", status: 503 };
    await expect(
      client(d, { retries: 0 }).filesUploadV2({ channel_id: "C1", file: PNG, filename: "mau.png" }),
    ).rejects.toMatchObject({ code: "slack_webapi_http_error", statusCode: 503 });
    expect(d.calls.map((c) => c.method)).toEqual(["files.getUploadURLExternal"]);
    expect(d.files).toEqual([]);
  });

  it("faults apply to the file methods too", async () => {
    const d = await start();
    d.faults = { method: "files.completeUploadExternal", error: "channel_not_found" };
    expect(
      await platformError(client(d).filesUploadV2({ channel_id: "C1", file: PNG, filename: "mau.png" })),
    ).toMatchObject({ error: "channel_not_found" });
    expect(d.uploads.map((u) => u.status)).toEqual([200]);
    expect(d.files).toEqual([]);

    d.faults = { method: "files.getUploadURLExternal", retryAfterS: 1, times: 1 };
    const started = Date.now();
    await client(d).filesUploadV2({ channel_id: "C1", file: PNG, filename: "mau.png" });
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(await d.waitForFiles(1)).toHaveLength(1);
  });
});

describe("the upload protocol, step by step", () => {
  const call = (d: SlackDouble, method: string, args: Record<string, string>) =>
    request(`${d.apiUrl}${method}`, {
      method: "POST",
      headers: { authorization: `Bearer ${d.botToken}`, "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams(args).toString(),
    }).then((r) => r.body.json() as Promise<Record<string, unknown>>);
  const upload = (url: string, body: Buffer | string, headers: Record<string, string> = {}) =>
    request(url, { method: "POST", body, headers }).then(async (r) => ({
      status: r.statusCode,
      text: await r.body.text(),
    }));

  it("getUploadURLExternal needs a filename and a positive integer length", async () => {
    const d = await start();
    const bad: Array<Record<string, string>> = [
      { length: "3" },
      { filename: "a.txt" },
      { filename: "a.txt", length: "0" },
      { filename: "a.txt", length: "1.5" },
    ];
    for (const args of bad) {
      expect(await call(d, "files.getUploadURLExternal", args)).toMatchObject({
        ok: false,
        error: "invalid_arguments",
      });
    }
    const ok = await call(d, "files.getUploadURLExternal", { filename: "a.txt", length: "3" });
    expect(ok).toMatchObject({ ok: true, file_id: expect.stringMatching(/^F/) });
    expect(ok.upload_url).toBe(`${d.url}/upload/${String(ok.file_id)}`);
  });

  it("the upload_url takes a raw body, answers OK - <length>, refuses a wrong length and an unknown id", async () => {
    const d = await start();
    const got = await call(d, "files.getUploadURLExternal", { filename: "a.txt", length: "3" });
    const url = String(got.upload_url);
    expect(await upload(url, "abcd")).toEqual({
      status: 400,
      text: "length_mismatch: expected 3 bytes, got 4",
    });
    expect(await upload(url, "abc", { "content-type": "application/octet-stream" })).toEqual({
      status: 200,
      text: "OK - 3",
    });
    expect((await upload(`${d.url}/upload/F404`, "abc")).status).toBe(404);
    expect(d.uploads.map((u) => [u.status, u.error ?? null])).toEqual([
      [400, "length_mismatch"],
      [200, null],
      [404, "file_not_found"],
    ]);

    const done = await call(d, "files.completeUploadExternal", {
      files: JSON.stringify([{ id: got.file_id }]),
      channel_id: "C1",
    });
    expect(done).toMatchObject({ ok: true, files: [{ id: got.file_id, title: "a.txt", size: 3 }] });
    expect((await d.waitForFiles(1))[0]?.bytes.toString()).toBe("abc");
    // A completed file is done with: no second upload, no second completion.
    expect((await upload(url, "abc")).status).toBe(404);
    expect(
      await call(d, "files.completeUploadExternal", { files: JSON.stringify([{ id: got.file_id }]) }),
    ).toMatchObject({ ok: false, error: "file_not_found" });
  });

  it("completeUploadExternal refuses unknown and never-uploaded ids, and completes none of the batch", async () => {
    const d = await start();
    const a = await call(d, "files.getUploadURLExternal", { filename: "a.txt", length: "1" });
    const b = await call(d, "files.getUploadURLExternal", { filename: "b.txt", length: "1" });
    await upload(String(a.upload_url), "a");
    const files = (ids: unknown[]) => JSON.stringify(ids.map((id) => ({ id })));
    expect(await call(d, "files.completeUploadExternal", { files: files(["F0NOPE"]) })).toMatchObject({
      ok: false,
      error: "file_not_found",
    });
    expect(
      await call(d, "files.completeUploadExternal", { files: files([a.file_id, b.file_id]) }),
    ).toMatchObject({
      ok: false,
      error: "file_not_found",
      response_metadata: { messages: [expect.stringContaining("never uploaded")] },
    });
    expect(await call(d, "files.completeUploadExternal", { files: "[]" })).toMatchObject({
      error: "invalid_arguments",
    });
    expect(d.files).toEqual([]);
    // `a` was left untouched by the refused batch.
    expect(await call(d, "files.completeUploadExternal", { files: files([a.file_id]) })).toMatchObject({
      ok: true,
    });
  });

  it("a test can wait for files, and is told what happened when they do not come", async () => {
    const d = await start();
    await expect(d.waitForFiles(1, 50)).rejects.toThrow(/1 completed file\(s\); got 0/);
  });

  it("reset() clears recorded files and uploads", async () => {
    const d = await start();
    await client(d).filesUploadV2({ channel_id: "C1", file: PNG, filename: "mau.png" });
    await d.waitForFiles(1);
    d.reset();
    expect([d.files.length, d.uploads.length]).toEqual([0, 0]);
  });
});
