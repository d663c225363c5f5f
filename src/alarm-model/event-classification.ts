/**
 * What a panel's event code means: its class (docs/alarm-handling.md#event-codes) and whether it restores an earlier condition.
 * Both code families: SIA (two capital letters) and Contact ID (qualifier + three digits).
 * An unknown code is never refused (docs/alarm-handling.md#no-signal-dropped): it classifies as `unknown` and opens an alarm.
 */
export const EVENT_CLASSES = ['burglary', 'fire', 'gas', 'water', 'medical', 'panic', 'duress', 'tamper', 'technical', 'arming', 'test', 'unknown'] as const;
export type EventClass = (typeof EVENT_CLASSES)[number];

export interface Classification {
  class: EventClass;
  restore: boolean;
  /** For `arming`: which way. */
  arming?: 'arm' | 'disarm';
}

/** SIA codes: code -> [class, restore, arming?]. Pairs from the published SIA tables; trouble codes are technical. */
const SIA: Record<string, [EventClass, boolean, ('arm' | 'disarm')?]> = {
  BA: ['burglary', false],
  BV: ['burglary', false],
  BH: ['burglary', true],
  BR: ['burglary', true],
  BT: ['technical', false],
  BJ: ['technical', true],
  BB: ['technical', false],
  BU: ['technical', true],
  BC: ['burglary', true],
  BX: ['test', false],
  FA: ['fire', false],
  FH: ['fire', true],
  FR: ['fire', true],
  FT: ['technical', false],
  FJ: ['technical', true],
  FS: ['technical', false],
  FX: ['test', false],
  KA: ['fire', false],
  KH: ['fire', true],
  PA: ['panic', false],
  PH: ['panic', true],
  HA: ['duress', false],
  HH: ['duress', true],
  HT: ['technical', false],
  MA: ['medical', false],
  MH: ['medical', true],
  QA: ['medical', false],
  QH: ['medical', true],
  WA: ['water', false],
  WH: ['water', true],
  WT: ['technical', false],
  WJ: ['technical', true],
  GA: ['gas', false],
  GH: ['gas', true],
  GT: ['technical', false],
  GJ: ['technical', true],
  ZA: ['water', false],
  ZH: ['water', true],
  TA: ['tamper', false],
  TR: ['tamper', true],
  ES: ['tamper', false],
  JA: ['tamper', false],
  AT: ['technical', false],
  AR: ['technical', true],
  YT: ['technical', false],
  YR: ['technical', true],
  YC: ['technical', false],
  YK: ['technical', true],
  LT: ['technical', false],
  LR: ['technical', true],
  OP: ['arming', false, 'disarm'],
  CL: ['arming', false, 'arm'],
  OA: ['arming', false, 'disarm'],
  CA: ['arming', false, 'arm'],
  OQ: ['arming', false, 'disarm'],
  CQ: ['arming', false, 'arm'],
  OS: ['arming', false, 'disarm'],
  CS: ['arming', false, 'arm'],
  CG: ['arming', false, 'arm'],
  RP: ['test', false],
  RX: ['test', false],
};

/** Contact ID event numbers (without the qualifier) -> class. */
const CID: Array<[number[], EventClass]> = [
  [[100, 101], 'medical'],
  [[110, 111, 112, 113, 114, 117, 158], 'fire'], // 113 is sprinkler water flow: a fire class (docs/alarm-handling.md#event-codes)
  [[120], 'panic'],
  [[121, 122, 124, 125], 'duress'],
  [[130, 131, 132, 133, 134, 135, 136, 138, 139, 140], 'burglary'],
  [[137, 144], 'tamper'],
  [[151, 162], 'gas'],
  [[154, 159], 'water'],
];

export function classify(code: string): Classification {
  if (/^[A-Z]{2}$/.test(code)) {
    const known = SIA[code];
    return known ? { class: known[0], restore: known[1], ...(known[2] ? { arming: known[2] } : {}) } : { class: 'unknown', restore: false };
  }
  const cid = /^([136])(\d{3})$/.exec(code);
  if (!cid) return { class: 'unknown', restore: false };
  const qualifier = cid[1];
  const event = Number(cid[2]);
  const range = Math.floor(event / 100);
  // Qualifier 1 = new event (or opening: disarm), 3 = restore (or closing: arm), 6 = still present.
  if (range === 4) return { class: 'arming', restore: false, arming: qualifier === '3' ? 'arm' : 'disarm' };
  const restore = qualifier === '3';
  if (range === 6) return { class: 'test', restore: false };
  if (range === 2 || range === 3 || range === 5) return { class: 'technical', restore };
  const match = CID.find(([events]) => events.includes(event));
  return { class: match ? match[1] : 'unknown', restore };
}

/** Classes that open an alarm (restores, arming and tests do not). */
export function opensAlarm(c: Classification): boolean {
  return !c.restore && c.class !== 'arming' && c.class !== 'test';
}

/** A link test (a DC-09 NULL frame) is supervision whatever its code; anything else by its code. */
export function classifySignal(signal: { code: string; linkTest?: boolean }): Classification {
  return signal.linkTest ? { class: 'test', restore: false } : classify(signal.code);
}
