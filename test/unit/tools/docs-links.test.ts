import * as fs from 'fs';
import * as path from 'path';

/**
 * Every relative link in README.md and docs/*.md leads to a file of the repository, and every
 * `#anchor` to a heading of the target page (GitHub's anchor rules), so the docs cannot point
 * at a page or section that was renamed.
 */
const REPO = path.join(__dirname, '..', '..', '..');
const pages = ['README.md', ...fs.readdirSync(path.join(REPO, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to dashes. */
function anchorsOf(markdown: string): Set<string> {
  const out = new Set<string>();
  let inFence = false;
  for (const line of markdown.split('\n')) {
    if (line.startsWith('```')) inFence = !inFence;
    const m = !inFence && /^#{1,6}\s+(.*)$/.exec(line);
    if (m) out.add(m[1].trim().toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, '').replace(/\s/g, '-'));
  }
  return out;
}

function linksOf(markdown: string): string[] {
  const text = markdown.replace(/```[\s\S]*?```/g, '');
  return [...text.matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1]).filter((l) => !/^[a-z]+:/i.test(l));
}

test.each(pages)('%s: relative links and anchors resolve', (page) => {
  const broken: string[] = [];
  for (const link of linksOf(fs.readFileSync(path.join(REPO, page), 'utf8'))) {
    const [file, anchor] = link.split('#');
    const target = file ? path.join(REPO, path.dirname(page), file) : path.join(REPO, page);
    if (!fs.existsSync(target)) broken.push(`${link}: no such file`);
    else if (anchor && target.endsWith('.md') && !anchorsOf(fs.readFileSync(target, 'utf8')).has(anchor)) broken.push(`${link}: no such heading`);
  }
  expect(broken).toEqual([]);
});
