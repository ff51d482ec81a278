/**
 * Hash-map iteration order and Java string handling. Expected orders were printed by JDK 17's
 * HashMap and ConcurrentHashMap for the same keys inserted in the same order.
 */
import { describe, expect, it } from "vitest";
import {
  concurrentHashMapOrder,
  hashMapOrder,
  javaListHash,
  javaStringHash,
} from "../../src/emulator/java-order.js";
import { javaIsBlank, javaTrim, javaUrlDecode, parseJavaParams } from "../../src/emulator/java-text.js";

describe("javaStringHash", () => {
  it("matches String.hashCode, overflow included", () => {
    expect(javaStringHash("")).toBe(0);
    expect(javaStringHash("a")).toBe(97);
    expect(javaStringHash("202111")).toBe(1_477_324_765);
    expect(javaStringHash("authorization_code")).toBe(1_571_154_419);
    expect(javaStringHash("refresh_token")).toBe(-1_432_035_435);
    expect(javaStringHash("urn:ietf:params:oauth:grant-type:uma-ticket")).toBe(1_746_083_563);
    expect(javaListHash([])).toBe(1);
    expect(javaListHash(["a"])).toBe(31 + 97);
    expect(javaListHash(["202111", "authorization_code"])).toBe(123_582_839);
  });
});

describe("hashMapOrder", () => {
  it("orders 24 consecutive months as HashMap does after two resizes", () => {
    const months: string[] = [];
    for (let i = 0; i < 24; i++) {
      const y = 2023 + Math.floor((11 + i) / 12);
      const m = ((11 + i) % 12) + 1;
      months.push(`${y}${String(m).padStart(2, "0")}`);
    }
    expect(months[0]).toBe("202312");
    expect(hashMapOrder(months, javaStringHash)).toEqual(
      "202509 202408 202507 202409 202508 202406 202505 202407 202506 202404 202503 202405 202504 202402 202501 202403 202502 202312 202411 202510 202401 202412 202511 202410".split(
        " ",
      ),
    );
  });

  it("orders JSON keys and grant types as HashMap does", () => {
    expect(hashMapOrder(["error", "error_description", "reason"], javaStringHash)).toEqual([
      "reason",
      "error_description",
      "error",
    ]);
    expect(hashMapOrder(["access_token", "token_type", "expires_in", "scope"], javaStringHash)).toEqual([
      "access_token",
      "scope",
      "token_type",
      "expires_in",
    ]);
    expect(hashMapOrder(["access_token", "id_token", "refresh_token", "uma_token"], javaStringHash)).toEqual([
      "access_token",
      "refresh_token",
      "uma_token",
      "id_token",
    ]);
    expect(
      hashMapOrder(
        [
          "authorization_code",
          "client_credentials",
          "refresh_token",
          "implicit",
          "password",
          "urn:ietf:params:oauth:grant-type:uma-ticket",
          "urn:ietf:params:oauth:grant-type:device_code",
        ],
        javaStringHash,
      ),
    ).toEqual([
      "refresh_token",
      "implicit",
      "client_credentials",
      "password",
      "urn:ietf:params:oauth:grant-type:device_code",
      "authorization_code",
      "urn:ietf:params:oauth:grant-type:uma-ticket",
    ]);
  });

  it("keeps a repeated key at its first position", () => {
    expect(hashMapOrder(["a", "b", "a"], javaStringHash)).toEqual(["a", "b"]);
  });
});

describe("concurrentHashMapOrder", () => {
  it("orders labelled counter children as the simpleclient's map does", () => {
    const keys = [
      ["202111", "authorization_code"],
      ["202111", "client_credentials"],
      ["202112", "urn:ietf:params:oauth:grant-type:uma-ticket"],
      ["202112", "authorization_code"],
    ];
    expect(concurrentHashMapOrder(keys, javaListHash)).toEqual([keys[2], keys[0], keys[3], keys[1]]);
  });

  it("resizes earlier than HashMap and reverses part of a bucket when it does", () => {
    // Seven keys share bucket 0 of 16. At the 12th key ConcurrentHashMap doubles its table
    // (HashMap waits for the 13th) and its transfer prepends the nodes before the last run.
    const keys = [0, 16, 1, 32, 2, 48, 3, 64, 4, 80, 5, 96];
    const identity = (k: number): number => k;
    expect(hashMapOrder(keys, identity)).toEqual([0, 16, 32, 48, 64, 80, 96, 1, 2, 3, 4, 5]);
    expect(concurrentHashMapOrder(keys, identity)).toEqual([64, 32, 0, 96, 1, 2, 3, 4, 5, 80, 48, 16]);
  });
});

describe("URLDecoder", () => {
  it.each([
    ["202110+202111", "202110 202111"],
    ["202110%20202111", "202110 202111"],
    ["202110%2B202111", "202110+202111"],
    ["%e2%82%ac", "€"],
    ["%ff", "\ufffd"],
    ["%+1x", "\u0001x"],
    ["%25", "%"],
    ["plain", "plain"],
  ])("decodes %s as Java does", (input, output) => {
    expect(javaUrlDecode(input)).toBe(output);
  });

  it.each(["abc%", "abc%2", "%zz", "%-1x"])("throws on %s as Java does", (input) => {
    expect(() => javaUrlDecode(input)).toThrow(/URLDecoder/);
  });

  it("parses parameters with the first value of a repeated name", () => {
    const p = parseJavaParams("month=202111&month=202112&format=openmetrics&flag");
    expect(p.get("month")).toBe("202111");
    expect(p.get("format")).toBe("openmetrics");
    expect(p.get("flag")).toBe("");
  });

  it("trims and tests blankness as Java does", () => {
    expect(javaTrim("\t 202111\u0001 ")).toBe("202111");
    expect(javaTrim("\u00a0202111")).toBe("\u00a0202111");
    expect(javaIsBlank(undefined)).toBe(true);
    expect(javaIsBlank(" \t\n")).toBe(true);
    expect(javaIsBlank("\u00a0")).toBe(false);
    expect(javaIsBlank(" x ")).toBe(false);
  });
});
