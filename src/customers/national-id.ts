/**
 * Swedish personnummer / samordningsnummer and Norwegian fødselsnummer / D-number / H-number:
 * parsed, checksum-validated, normalised for storage and masked for display (docs/privacy.md#national-identity-numbers).
 * Messages never repeat the number: they end up in HTTP answers and, through them, possibly in logs.
 */
export type NationalIdKind = 'personnummer' | 'samordningsnummer' | 'fodselsnummer' | 'd_number' | 'h_number';

export interface NationalId {
  country: 'SE' | 'NO';
  kind: NationalIdKind;
  /** Stored form: SE 12 digits `YYYYMMDDNNNC`, NO 11 digits. */
  normalised: string;
  /** Shown to everyone: `19640823-****` (SE) or `311299*****` (NO). */
  masked: string;
  /** Shown on reveal: `19640823-3234` (SE) or `31129956715` (NO). */
  display: string;
}

export type NationalIdParse = ({ ok: true } & NationalId) | { ok: false; problem: string };

const FORMAT =
  'nationalId must be a Swedish personnummer or samordningsnummer (YYMMDD-NNNC or YYYYMMDDNNNC) or a Norwegian fødselsnummer or D-number (11 digits)';

export function parseNationalId(raw: string, today: Date = new Date()): NationalIdParse {
  const text = raw.trim().replace(/\s+/g, ' ');
  const swedish = /^(\d{6}|\d{8})([-+]?)(\d{4})$/.exec(text);
  if (swedish) return parseSwedish(swedish[1], swedish[2], swedish[3], today);
  const norwegian = /^(\d{6}) ?(\d{5})$/.exec(text);
  if (norwegian) return parseNorwegian(norwegian[1] + norwegian[2], today);
  return { ok: false, problem: FORMAT };
}

/** Reads a stored (normalised) number back into its display forms. */
export function fromNormalised(normalised: string): NationalId {
  // Read with the latest representable date as "today": a stored number was valid when stored, and
  // the 12-digit form carries its century, so only the checksums matter here.
  const parsed = parseNationalId(normalised.length === 12 ? `${normalised.slice(0, 8)}-${normalised.slice(8)}` : normalised, new Date(8640000000000000));
  if (!parsed.ok) throw new Error('a stored national identity number no longer parses');
  return parsed;
}

function parseSwedish(datePart: string, separator: string, tail: string, today: Date): NationalIdParse {
  let year: number;
  const yy = Number(datePart.slice(-6, -4));
  const month = Number(datePart.slice(-4, -2));
  const dayField = Number(datePart.slice(-2));
  const samordning = dayField > 60;
  const day = samordning ? dayField - 60 : dayField;
  if (datePart.length === 8) {
    // The 12-digit form carries its century and has no "+" (that only exists in the 10-digit form).
    if (separator === '+') return { ok: false, problem: 'nationalId: a 12-digit Swedish number is written without "+" (YYYYMMDD-NNNC)' };
    year = Number(datePart.slice(0, 4));
  } else {
    // 10 digits: the person is under 100 with "-" (or nothing), 100 or older with "+".
    year = today.getUTCFullYear() - ((today.getUTCFullYear() - yy) % 100);
    if (new Date(Date.UTC(year, month - 1, day)) > today) year -= 100;
    if (separator === '+') year -= 100;
  }
  if (!isDate(year, month, day)) {
    return { ok: false, problem: `nationalId: the date part is not a real date${samordning ? ' (samordningsnummer: day + 60)' : ''}` };
  }
  if (new Date(Date.UTC(year, month - 1, day)) > today || year < 1850) {
    return { ok: false, problem: 'nationalId: the date of birth is not plausible' };
  }
  const ten = datePart.slice(-6) + tail;
  if (luhnCheckDigit(ten.slice(0, 9)) !== Number(ten[9])) {
    return { ok: false, problem: 'nationalId: the check digit of the Swedish number does not match; check for a typing error' };
  }
  const normalised = String(year).padStart(4, '0') + ten.slice(2);
  return {
    ok: true,
    country: 'SE',
    kind: samordning ? 'samordningsnummer' : 'personnummer',
    normalised,
    masked: `${normalised.slice(0, 8)}-****`,
    display: `${normalised.slice(0, 8)}-${normalised.slice(8)}`,
  };
}

/** Luhn with weights 2,1,2,1,... over YYMMDDNNN; digit sums of the products. */
export function luhnCheckDigit(nine: string): number {
  let sum = 0;
  for (let i = 0; i < nine.length; i++) {
    const product = Number(nine[i]) * (i % 2 === 0 ? 2 : 1);
    sum += product > 9 ? product - 9 : product;
  }
  return (10 - (sum % 10)) % 10;
}

const K1_WEIGHTS = [3, 7, 6, 1, 8, 9, 4, 5, 2];
const K2_WEIGHTS = [5, 4, 3, 2, 7, 6, 5, 4, 3, 2];

function mod11(digits: string, weights: number[]): number {
  const sum = weights.reduce((s, w, i) => s + w * Number(digits[i]), 0);
  return (11 - (sum % 11)) % 11;
}

function parseNorwegian(digits: string, today: Date): NationalIdParse {
  const k1 = mod11(digits, K1_WEIGHTS);
  const k2 = mod11(digits, K2_WEIGHTS);
  // A control digit of 10 cannot be written: such numbers are never issued.
  if (k1 === 10 || k2 === 10 || k1 !== Number(digits[9]) || k2 !== Number(digits[10])) {
    return { ok: false, problem: 'nationalId: the control digits of the Norwegian number do not match; check for a typing error' };
  }
  let day = Number(digits.slice(0, 2));
  let month = Number(digits.slice(2, 4));
  const yy = Number(digits.slice(4, 6));
  const individual = Number(digits.slice(6, 9));
  let kind: NationalIdKind = 'fodselsnummer';
  if (day > 40) {
    day -= 40;
    kind = 'd_number';
  } else if (month > 40) {
    month -= 40;
    kind = 'h_number';
  }
  const year = norwegianCentury(individual, yy);
  if (year === undefined || !isDate(year, month, day)) {
    return { ok: false, problem: 'nationalId: the date part of the Norwegian number is not a real date' };
  }
  if (new Date(Date.UTC(year, month - 1, day)) > today) {
    return { ok: false, problem: 'nationalId: the date of birth is not plausible' };
  }
  return { ok: true, country: 'NO', kind, normalised: digits, masked: `${digits.slice(0, 6)}*****`, display: digits };
}

/** The century follows from the individual number (Skatteetaten's table). */
function norwegianCentury(individual: number, yy: number): number | undefined {
  if (individual <= 499) return 1900 + yy;
  if (individual <= 749 && yy >= 54) return 1800 + yy;
  if (yy <= 39) return 2000 + yy;
  if (individual >= 900) return 1900 + yy;
  return undefined;
}

function isDate(year: number, month: number, day: number): boolean {
  if (month < 1 || month > 12 || day < 1) return false;
  const d = new Date(Date.UTC(year, month - 1, day));
  return d.getUTCFullYear() === year && d.getUTCMonth() === month - 1 && d.getUTCDate() === day;
}
