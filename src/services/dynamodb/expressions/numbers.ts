/**
 * DynamoDB numbers: exact decimals of up to 38 significant digits with magnitudes from 1E-130 to
 * 9.99…E+125, sent and returned as text. Arithmetic is done on BigInt coefficients so that
 * 0.1 + 0.2 is 0.3, as DynamoDB answers, never 0.30000000000000004.
 */
import { validationError } from './errors.ts';

const MAX_SIGNIFICANT_DIGITS = 38;
/** Exponents of the leading digit in scientific notation (d.ddd × 10^e). */
const MAX_EXPONENT = 125n;
const MIN_EXPONENT = -130n;

export const NOT_NUMERIC = 'The parameter cannot be converted to a numeric value';
export const NUMBER_OVERFLOW = 'Number overflow. Attempting to store a number with magnitude larger than supported range';
export const NUMBER_UNDERFLOW = 'Number underflow. Attempting to store a number with magnitude smaller than supported range';
export const TOO_MANY_DIGITS = 'Attempting to store more than 38 significant digits in a Number';

/** value = (negative ? -1 : 1) × coefficient × 10^exponent; coefficient has no trailing zeros; zero is 0n × 10^0. */
interface Decimal {
  negative: boolean;
  coefficient: bigint;
  exponent: bigint;
}

// Java BigDecimal's syntax, which DynamoDB reads numbers with: optional sign, digits with an
// optional point (at least one digit), optional exponent. No spaces, hex, NaN or Infinity.
const NUMBER_SYNTAX = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;

function parseDecimal(text: string): Decimal | undefined {
  const match = NUMBER_SYNTAX.exec(text);
  if (!match) return undefined;
  const [, sign, intPart = '', fracPart = '', exponentText] = match;
  if (intPart === '' && fracPart === '') return undefined;
  const coefficient = BigInt(intPart + fracPart || '0');
  const exponent = BigInt(exponentText ?? '0') - BigInt(fracPart.length);
  return normalize({ negative: sign === '-', coefficient, exponent });
}

/** Moves trailing zeros of the coefficient into the exponent; zero becomes positive 0 × 10^0. */
function normalize(d: Decimal): Decimal {
  if (d.coefficient === 0n) return { negative: false, coefficient: 0n, exponent: 0n };
  let { coefficient, exponent } = d;
  while (coefficient % 10n === 0n) {
    coefficient /= 10n;
    exponent += 1n;
  }
  return { negative: d.negative, coefficient, exponent };
}

/** Throws DynamoDB's error when a number is out of range or too precise (overflow first, as DynamoDB checks). */
function checkLimits(d: Decimal): void {
  if (d.coefficient === 0n) return;
  const digits = d.coefficient.toString().length;
  const leadingExponent = d.exponent + BigInt(digits - 1);
  if (leadingExponent > MAX_EXPONENT) throw validationError(NUMBER_OVERFLOW);
  if (leadingExponent < MIN_EXPONENT) throw validationError(NUMBER_UNDERFLOW);
  if (digits > MAX_SIGNIFICANT_DIGITS) throw validationError(TOO_MANY_DIGITS);
}

/** Plain notation, as DynamoDB returns numbers: no exponent, no superfluous zeros. */
function format(d: Decimal): string {
  const digits = d.coefficient.toString();
  const sign = d.negative ? '-' : '';
  if (d.exponent >= 0n) return sign + digits + '0'.repeat(Number(d.exponent));
  const point = digits.length + Number(d.exponent);
  if (point > 0) return `${sign}${digits.slice(0, point)}.${digits.slice(point)}`;
  return `${sign}0.${'0'.repeat(-point)}${digits}`;
}

function parseOrThrow(text: string): Decimal {
  const d = parseDecimal(text);
  if (!d) throw validationError(`${NOT_NUMERIC}: ${text}`);
  return d;
}

/**
 * DynamoDB's canonical form of a number ("1.50" → "1.5", "1e3" → "1000", "-0" → "0").
 * Throws ValidationException for text that is not a number, out of range or over 38 digits.
 */
export function canonicalNumber(text: string): string {
  const d = parseOrThrow(text);
  checkLimits(d);
  return format(d);
}

/** Scales two decimals to a common exponent so their coefficients can be added or compared. */
function align(a: Decimal, b: Decimal): { a: bigint; b: bigint; exponent: bigint } {
  const exponent = a.exponent < b.exponent ? a.exponent : b.exponent;
  const scale = (d: Decimal) => (d.negative ? -1n : 1n) * d.coefficient * 10n ** (d.exponent - exponent);
  return { a: scale(a), b: scale(b), exponent };
}

function fromSigned(value: bigint, exponent: bigint): Decimal {
  const negative = value < 0n;
  return normalize({ negative, coefficient: negative ? -value : value, exponent });
}

function signOf(d: Decimal): number {
  return d.coefficient === 0n ? 0 : d.negative ? -1 : 1;
}

function leadingExponentOf(d: Decimal): bigint {
  return d.exponent + BigInt(d.coefficient.toString().length - 1);
}

/** -1, 0 or 1, comparing exactly (1.0 equals 1; 1e-130 is above 0). */
export function compareNumbers(a: string, b: string): number {
  const x = parseOrThrow(a);
  const y = parseOrThrow(b);
  // Decide by sign and magnitude first, so that far-apart exponents never scale a coefficient.
  const sx = signOf(x);
  const sy = signOf(y);
  if (sx !== sy) return sx < sy ? -1 : 1;
  if (sx === 0) return 0;
  const ex = leadingExponentOf(x);
  const ey = leadingExponentOf(y);
  if (ex !== ey) return (ex < ey ? -1 : 1) * sx;
  const aligned = align(x, y);
  return aligned.a < aligned.b ? -1 : aligned.a > aligned.b ? 1 : 0;
}

/** Operands of arithmetic are stored numbers; checking them bounds the work of aligning them. */
function operand(text: string): Decimal {
  const d = parseOrThrow(text);
  checkLimits(d);
  return d;
}

/** a + b exactly; the result must itself be a storable number. */
export function addNumbers(a: string, b: string): string {
  const aligned = align(operand(a), operand(b));
  const sum = fromSigned(aligned.a + aligned.b, aligned.exponent);
  checkLimits(sum);
  return format(sum);
}

/** a - b exactly; the result must itself be a storable number. */
export function subtractNumbers(a: string, b: string): string {
  const aligned = align(operand(a), operand(b));
  const difference = fromSigned(aligned.a - aligned.b, aligned.exponent);
  checkLimits(difference);
  return format(difference);
}
