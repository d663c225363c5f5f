import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The rules the code cites are written in docs/, so a reader of the repository can open every
 * citation: no file may cite the project's former external documents, and every
 * anchor cited in a docs file (from code, the README or another docs file) must be a heading there.
 */
const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const SCANNED = ['src', 'dashboard', 'test', 'scripts', 'bench', 'docker', 'docs', 'README.md'];
const TEXT_FILE = /\.(ts|js|mjs|cjs|json|md|html|css|sh|yaml|yml)$|Dockerfile|dockerignore$/;

/** Documents outside the repository, which a reader cannot open: the rules the code cites are in docs/. */
const EXTERNAL_DOCUMENT = /\b(?:PRODUCT|API|DOMAIN|STACK|STYLE|DC09)\.md\b/;

function filesUnder(path: string): string[] {
  const full = join(root, path);
  if (!existsSync(full)) return [];
  if (!statSync(full).isDirectory()) return TEXT_FILE.test(path) ? [path] : [];
  return readdirSync(full).flatMap((name) => (name === 'node_modules' ? [] : filesUnder(join(path, name))));
}

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces as hyphens. */
function headingAnchor(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

function anchorsOf(docFile: string): Set<string> {
  const anchors = new Set<string>();
  let inFence = false;
  for (const line of readFileSync(join(root, docFile), 'utf8').split('\n')) {
    if (line.startsWith('```')) inFence = !inFence;
    const heading = !inFence && /^#{1,6}\s+(.*)$/.exec(line);
    if (heading) anchors.add(headingAnchor(heading[1]));
  }
  return anchors;
}

/** Every citation of a docs file and anchor, and in Markdown files also their relative links to one. */
function citationsIn(file: string, text: string): Array<{ doc: string; anchor: string }> {
  const found: Array<{ doc: string; anchor: string }> = [];
  for (const m of text.matchAll(/\bdocs\/([\w-]+\.md)#([\w-]+)/g)) found.push({ doc: `docs/${m[1]}`, anchor: m[2] });
  if (file.endsWith('.md')) {
    for (const m of text.matchAll(/\]\(((?:\.\.\/)?[\w./-]*\.md)#([\w-]+)\)/g)) {
      found.push({ doc: relative(root, resolve(root, dirname(file), m[1])), anchor: m[2] });
    }
  }
  return found;
}

const files = SCANNED.flatMap(filesUnder);

describe('citations of the rules', () => {
  it('scans the tree (a check that reads nothing cannot fail)', () => {
    expect(files).toContain('src/common/doc-references.spec.ts');
    expect(files.filter((f) => f.startsWith('docs/'))).toEqual(expect.arrayContaining(['docs/alarm-handling.md', 'docs/sms.md']));
  });

  it('cites no document from outside the repository', () => {
    const citing = files.flatMap((f) =>
      readFileSync(join(root, f), 'utf8')
        .split('\n')
        .flatMap((line, i) => (EXTERNAL_DOCUMENT.test(line) ? [`${f}:${i + 1}: ${line.trim()}`] : [])),
    );
    expect(citing).toEqual([]);
  });

  it('cites only anchors that are headings of the docs file they name', () => {
    const anchors = new Map<string, Set<string>>();
    const broken = files.flatMap((f) =>
      citationsIn(f, readFileSync(join(root, f), 'utf8')).flatMap(({ doc, anchor }) => {
        if (!existsSync(join(root, doc))) return [`${f}: ${doc}#${anchor} (no such file)`];
        if (!anchors.has(doc)) anchors.set(doc, anchorsOf(doc));
        return anchors.get(doc)!.has(anchor) ? [] : [`${f}: ${doc}#${anchor}`];
      }),
    );
    expect(broken).toEqual([]);
  });

  it('computes anchors the way GitHub does', () => {
    expect(headingAnchor('Contacts only when the owner cannot be reached')).toBe('contacts-only-when-the-owner-cannot-be-reached');
    expect(headingAnchor('Panel events over DC-09')).toBe('panel-events-over-dc-09');
    expect(headingAnchor('Customers, contacts, panels')).toBe('customers-contacts-panels');
  });
});
