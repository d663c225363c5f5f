// Formatting shared by the pages: a customer's language, a panel's zone and user as the customer named them.

export const LANGS = [
  ['', 'from the country'],
  ['sv', 'Swedish'],
  ['nb', 'Norwegian'],
  ['en', 'English'],
];
export const langName = (code) => LANGS.find(([c]) => c && c === code)?.[1] ?? code ?? '-';

/** "Cellar PIR (zone 5)" when the customer named the zone, else "zone 5"; '' without a zone. */
export function zoneText(zone, zoneName) {
  if (!zone) return '';
  return zoneName ? `${zoneName} (zone ${zone})` : `zone ${zone}`;
}

/** "Erik (user 2)" when the customer named the panel user, else the user as the panel sent it. */
export function userText(user, userName) {
  if (!user) return '';
  return userName ? `${userName} (user ${user})` : user;
}
