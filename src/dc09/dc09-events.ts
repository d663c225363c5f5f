/*
 * The DATA block of a DC-09 frame into events. SIA-DCS carries SIA DC-03 data (`#acct|N` then
 * modifiers and two-letter codes with a number); ADM-CID carries Ademco Contact ID (`#acct|QEEE GG ZZZ`).
 */

export interface Dc09Event {
  /** SIA: two letters ('BA', 'OP', 'NL'...); Contact ID: qualifier + event, four digits ('1130', '3401'). */
  code: string;
  /** The event's number as sent, leading zeros kept. */
  zone?: string;
  /** For arming codes the number is the user; also the SIA `id` modifier. */
  user?: string;
  /** SIA `ri` modifier; Contact ID partition. */
  area?: string;
  /** SIA `^...^` or `|A...` text, spaces kept. */
  text?: string;
}

const MAX_TEXT = 200;
const MAX_RAW_CODE = 128;

/**
 * SIA codes whose number names the user who armed or disarmed: the codes the SIA code table lists
 * with a user number, plus automatic, keyswitch and partial arming, so that every arming and
 * disarming event reports its number in the same field.
 */
const USER_CODES = new Set('OP CL OA CA OQ CQ OS CS CG OG BC CE CF CJ CK CP CR DA DB EE JD JH JK JP JS JT JV JX JY JZ OC OH OJ OK OL OR OT RX'.split(' '));

/** Leading `#acct|` (or a bare `|` from panels that leave the account out). */
const ACCOUNT_PREFIX = /^(?:#[0-9A-Za-z]*)?\|/;

/**
 * The events in a SIA-DCS or ADM-CID data block. Never throws: what cannot be read is left out, and
 * a block with nothing readable gives one event whose code is the raw text (at most 128 characters),
 * so it is stored as an unknown event rather than dropped. An empty block gives no event.
 */
export function parseEvents(id: 'SIA-DCS' | 'ADM-CID', data: string): Dc09Event[] {
  const body = data.replace(ACCOUNT_PREFIX, '');
  if (!body.trim()) return [];
  const events = id === 'ADM-CID' ? contactIdEvents(body) : siaEvents(body);
  if (events.length > 0) return events;
  return [{ code: data.trim().slice(0, MAX_RAW_CODE) }];
}

const CONTACT_ID = /([0-9A-Fa-f])([0-9A-Fa-f]{3}) ?([0-9A-Fa-f]{2}) ?([0-9A-Fa-f]{3})/y;
const SEPARATORS = /[\s/|]*/y;

function contactIdEvents(s: string): Dc09Event[] {
  const events: Dc09Event[] = [];
  let i = skip(SEPARATORS, s, 0);
  for (let m = exec(CONTACT_ID, s, i); m; m = exec(CONTACT_ID, s, i)) {
    const [, qualifier, event, area, number] = m;
    // Contact ID 4xx events are openings and closings: their number is the user, not a zone.
    const who = event.startsWith('4') ? { user: number } : { zone: number };
    events.push({ code: qualifier + event, area, ...who });
    i = skip(SEPARATORS, s, i + m[0].length);
  }
  const rest = s.slice(i).replace(/^\^|\^$/g, '');
  if (events.length > 0 && rest.trim()) events[events.length - 1].text = rest.slice(0, MAX_TEXT);
  return events;
}

const BLOCK_MARKER = /[NO](?=[a-z]|[A-Z]{2}|[/|^]|$)/y;
/** Area, user, time and peripheral modifiers; other lowercase letters are text. */
const MODIFIER = /(ri|id|ti|pi)(\d[\d:]*)/y;
const EVENT = /([A-Z]{2})(\d*)/y;
const TEXT_RUN = /[^/^|]+/y;

function siaEvents(s: string): Dc09Event[] {
  const events: Dc09Event[] = [];
  let area: string | undefined;
  let user: string | undefined;
  let pendingText: string | undefined;
  const addText = (text: string): void => {
    const last = events[events.length - 1];
    if (last && last.text === undefined) last.text = text.slice(0, MAX_TEXT);
    else if (!last) pendingText = text.slice(0, MAX_TEXT);
  };

  let i = skip(BLOCK_MARKER, s, 0);
  while (i < s.length) {
    const c = s[i];
    if (c === '/') {
      i++;
    } else if (c === '|') {
      if (s[i + 1] === 'A') {
        // An ASCII block runs to the end and describes the events that have no text of their own.
        const text = s.slice(i + 2).slice(0, MAX_TEXT);
        for (const e of events) e.text ??= text;
        break;
      }
      i = skip(BLOCK_MARKER, s, i + 1);
    } else if (c === '^') {
      const close = s.indexOf('^', i + 1);
      addText(s.slice(i + 1, close < 0 ? s.length : close));
      i = close < 0 ? s.length : close + 1;
    } else {
      const modifier = exec(MODIFIER, s, i);
      // An event is two capitals and its number; two capitals that run on into letters are text ('KITCHEN').
      const event = modifier ? null : exec(EVENT, s, i);
      if (modifier) {
        // Modifiers apply to every event after them.
        if (modifier[1] === 'ri') area = modifier[2];
        if (modifier[1] === 'id') user = modifier[2];
        i += modifier[0].length;
      } else if (event && (event[2] || !/[A-Za-z]/.test(s[i + 2] ?? ''))) {
        const [, code, number] = event;
        const e: Dc09Event = { code };
        if (number && USER_CODES.has(code) && user === undefined) e.user = number;
        else if (number) e.zone = number;
        if (user !== undefined) e.user = user;
        if (area !== undefined) e.area = area;
        if (pendingText !== undefined) e.text = pendingText;
        pendingText = undefined;
        events.push(e);
        i += event[0].length;
      } else {
        const run = exec(TEXT_RUN, s, i)?.[0] ?? s[i];
        if (run.trim()) addText(run);
        i += run.length;
      }
    }
  }
  return events;
}

function exec(re: RegExp, s: string, at: number): RegExpExecArray | null {
  re.lastIndex = at;
  return re.exec(s);
}

function skip(re: RegExp, s: string, at: number): number {
  const m = exec(re, s, at);
  return m ? at + m[0].length : at;
}
