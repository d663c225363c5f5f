// How an alarm is described on the queue and on its own page, and the classes an alarm can have.
import { fmtTime, h, label } from './dom.js';

/** Every class an alarm can have, in the order the pickers and filters offer them. */
export const ALARM_CLASSES = ['burglary', 'fire', 'gas', 'water', 'medical', 'panic', 'duress', 'tamper', 'technical', 'unknown'];

export const cap = (s) => s.charAt(0).toUpperCase() + s.slice(1);

/** Who acknowledged, and how: "the owner (reply code)", "Eva (operator reached them)", "a disarm at the panel (user 2, keypad)". */
export function acknowledgedBy(by = {}) {
  if (by.type === 'panel') {
    const how = [by.user ? `user ${by.user}` : '', by.method ?? ''].filter(Boolean).join(', ');
    return `a disarm at the panel${how ? ` (${how})` : ''}`;
  }
  const whom = by.type === 'owner' ? 'the owner' : (by.name ?? 'a contact');
  return `${whom}${by.via === 'operator' ? ' (operator reached them)' : by.via === 'reply_code' ? ' (reply code)' : ''}`;
}

/** The panel reported the condition over (a BR after a BA): the alarm stays open, but it is worth knowing at a glance. */
export function restoredPill(a, id) {
  if (!a.restored || a.status !== 'open') return '';
  return [
    ' ',
    h('span', { class: 'pill good restored', id, title: `Restored at the panel ${fmtTime(a.restoredAt)}` }, `Restored ${fmtTime(a.restoredAt).slice(-8)}`),
  ];
}

/** What set the alarm off: the first panel event's code and text, or why the system opened it. */
export function trigger(a) {
  if (a.trigger) return `${a.trigger.code}${a.trigger.text ? `: ${a.trigger.text}` : ''}`;
  return a.reason ? cap(label(a.reason)) : '';
}
