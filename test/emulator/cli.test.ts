import { describe, expect, it } from "vitest";
import { banner, parseCli } from "../../src/emulator/cli.js";

describe("parseCli", () => {
  it("defaults to a Gluu 4.x emulator on 127.0.0.1:8080 with the demo client", () => {
    expect(parseCli([], {})).toEqual({
      kind: "run",
      options: {
        family: "gluu4",
        host: "127.0.0.1",
        port: 8080,
        intervalLimitS: 60,
        errorReasonEnabled: false,
        seed: 1,
        tokenLifetimeS: 299,
        clientId: "stat-client",
        clientSecret: "stat-secret",
        authMethod: "client_secret_basic",
        order: "shuffle",
      },
    });
  });

  it("reads flags over the environment, and 8443 by default with TLS", () => {
    const parsed = parseCli(
      [
        "--family",
        "janssen",
        "--interval",
        "0",
        "--error-reason",
        "--tls-key",
        "k.pem",
        "--tls-cert",
        "c.pem",
      ],
      { EMULATOR_FAMILY: "gluu4", EMULATOR_PORT: "9000", EMULATOR_AUTH_METHOD: "post" },
    );
    expect(parsed).toMatchObject({
      kind: "run",
      options: {
        family: "janssen",
        port: 9000,
        intervalLimitS: 0,
        errorReasonEnabled: true,
        authMethod: "client_secret_post",
        tls: { keyPath: "k.pem", certPath: "c.pem" },
      },
    });
    expect(parseCli(["--tls-key", "k", "--tls-cert", "c"], {})).toMatchObject({ options: { port: 8443 } });
    expect(parseCli([], { EMULATOR_ERROR_REASON: "true" })).toMatchObject({
      options: { errorReasonEnabled: true },
    });
  });

  it.each([
    [["--family", "keycloak"], /--family must be gluu4 or janssen/],
    [["--port", "http"], /--port must be a whole number/],
    [["--port", "70000"], /--port must be a whole number from 0 to 65535/],
    [["--tls-key", "k.pem"], /go together/],
    [["--auth-method", "jwt"], /--auth-method must be basic or post/],
    [["--frobnicate"], /Unknown option/],
  ])("refuses %j", (argv, message) => {
    const parsed = parseCli(argv, {});
    expect(parsed.kind).toBe("error");
    if (parsed.kind === "error") expect(parsed.message).toMatch(message);
  });

  it("asks for help", () => {
    expect(parseCli(["-h"], {})).toEqual({ kind: "help" });
  });
});

describe("banner", () => {
  it("names the endpoints, the demo credentials and commands that work as printed", () => {
    const parsed = parseCli([], {});
    if (parsed.kind !== "run") throw new Error("unexpected");
    const text = banner(
      parsed.options,
      "http://127.0.0.1:8080",
      { stat: "/oxauth/restv1/internal/stat", token: "/oxauth/restv1/token" },
      { last: "202510", yearBefore: "202410" },
    );
    expect(text).toContain("Gluu Server 4.x");
    expect(text).toContain("stat-client / stat-secret");
    expect(text).toContain(
      "curl -s -u 'stat-client:stat-secret' -d 'grant_type=client_credentials&scope=jans_stat' http://127.0.0.1:8080/oxauth/restv1/token",
    );
    expect(text).toContain(
      "'http://127.0.0.1:8080/oxauth/restv1/internal/stat?month=202510&format=openmetrics'",
    );
    expect(text).toContain("'http://127.0.0.1:8080/oxauth/restv1/internal/stat?month=202410%20202510'");
    expect(text).toContain("60 s between processed stat requests");
    expect(text).not.toContain("start-month");
  });

  it("shows a range for Janssen and -k with TLS", () => {
    const parsed = parseCli(["--family", "janssen", "--tls-key", "k", "--tls-cert", "c"], {});
    if (parsed.kind !== "run") throw new Error("unexpected");
    const text = banner(
      parsed.options,
      "https://127.0.0.1:8443",
      { stat: "/jans-auth/restv1/internal/stat", token: "/jans-auth/restv1/token" },
      { last: "202510", yearBefore: "202410" },
    );
    expect(text).toContain("?start-month=202410&end-month=202510&format=jsonmonth'");
    expect(text).toContain("curl -s -k -u 'stat-client:stat-secret'");
    expect(text).toContain("none (Janssen)");
  });
});
