/**
 * The Java string handling the stat endpoint's behaviour hinges on: `URLDecoder.decode`
 * (applied twice to `month`: once by JAX-RS, once by the endpoint), `String.trim`, and
 * commons-lang's `StringUtils.isBlank`.
 */

/** Thrown where `URLDecoder.decode` throws `IllegalArgumentException`. */
export class MalformedEscapeError extends Error {
  override readonly name = "MalformedEscapeError";
}

/**
 * `URLDecoder.decode(s, UTF-8)`: `+` is a space, `%XX` a byte; an incomplete or non-hex
 * escape throws. Invalid UTF-8 becomes U+FFFD, as Java's decoder replaces it.
 */
export function javaUrlDecode(s: string): string {
  if (!s.includes("%") && !s.includes("+")) return s;
  let out = "";
  let i = 0;
  while (i < s.length) {
    const ch = s[i] as string;
    if (ch === "+") {
      out += " ";
      i++;
    } else if (ch === "%") {
      const bytes: number[] = [];
      while (i + 2 < s.length && s[i] === "%") {
        bytes.push(javaHexByte(s.slice(i + 1, i + 3)));
        i += 3;
      }
      if (i < s.length && s[i] === "%") {
        throw new MalformedEscapeError("URLDecoder: Incomplete trailing escape (%) pattern");
      }
      out += new TextDecoder("utf-8").decode(new Uint8Array(bytes));
    } else {
      out += ch;
      i++;
    }
  }
  return out;
}

/**
 * `Integer.parseInt(two chars, 16)` as URLDecoder uses it: a sign is allowed (`%+1` is byte
 * 1), a negative value or a non-hex character is an error.
 */
function javaHexByte(pair: string): number {
  if (!/^[+-]?[0-9a-fA-F]+$/.test(pair)) {
    throw new MalformedEscapeError("URLDecoder: Illegal hex characters in escape (%) pattern");
  }
  const v = Number.parseInt(pair, 16);
  if (v < 0)
    throw new MalformedEscapeError(
      "URLDecoder: Illegal hex characters in escape (%) pattern - negative value",
    );
  return v;
}

/**
 * Parses `a=1&b=2` the way JAX-RS hands `@QueryParam`/`@FormParam` values to the endpoint:
 * names and values URL-decoded, the first value of a repeated name wins. A malformed escape
 * anywhere throws (the servers answer 500 before looking at anything else).
 */
export function parseJavaParams(raw: string): Map<string, string> {
  const params = new Map<string, string>();
  if (raw === "") return params;
  for (const pair of raw.split("&")) {
    if (pair === "") continue;
    const eq = pair.indexOf("=");
    const name = javaUrlDecode(eq === -1 ? pair : pair.slice(0, eq));
    const value = javaUrlDecode(eq === -1 ? "" : pair.slice(eq + 1));
    if (!params.has(name)) params.set(name, value);
  }
  return params;
}

/** `String.trim()`: strips code units up to and including the space. */
export function javaTrim(s: string): string {
  let start = 0;
  let end = s.length;
  while (start < end && s.charCodeAt(start) <= 0x20) start++;
  while (end > start && s.charCodeAt(end - 1) <= 0x20) end--;
  return s.slice(start, end);
}

/** `StringUtils.isBlank`: null, empty, or only `Character.isWhitespace` characters. */
export function javaIsBlank(s: string | undefined): boolean {
  if (s === undefined) return true;
  for (const ch of s) if (!isJavaWhitespace(ch)) return false;
  return true;
}

function isJavaWhitespace(ch: string): boolean {
  const c = ch.codePointAt(0) ?? 0;
  if ((c >= 0x09 && c <= 0x0d) || (c >= 0x1c && c <= 0x20)) return true;
  // Unicode space separators count, except the non-breaking ones.
  if (c === 0xa0 || c === 0x2007 || c === 0x202f) return false;
  return /^[\p{Zs}\p{Zl}\p{Zp}]$/u.test(ch);
}
