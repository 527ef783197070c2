import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { V8_OPTIONS, withV8Options } from '../../../src/core/heap';

const REPO = path.resolve(__dirname, '../../..');

describe('V8 options of the proxy processes', () => {
  test('missing options are added, given ones are kept as given', () => {
    expect(withV8Options([])).toEqual(V8_OPTIONS);
    expect(withV8Options(['--max-semi-space-size=8', '--inspect'])).toEqual(['--max-semi-space-size=8', '--inspect', ...V8_OPTIONS.slice(1)]);
  });

  test('every way of starting the primary passes them: systemd unit, npm start, the smart-proxy command', () => {
    const unit = fs.readFileSync(path.join(REPO, 'scripts/systemd/foreman-proxy.service'), 'utf8');
    const execStart = /^ExecStart=(.*)$/m.exec(unit)![1];
    const start = JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8')).scripts.start as string;
    const shebang = fs.readFileSync(path.join(REPO, 'src/main.ts'), 'utf8').split('\n')[0];
    const node = `node ${V8_OPTIONS.join(' ')} `;
    expect(execStart).toContain(node);
    expect(start).toContain(node);
    expect(shebang).toBe(`#!/usr/bin/env -S ${node.trim()}`);
  });

  test('they take effect when given at start: the young generation stays small', () => {
    const probe = [
      'let keep = []; for (let i = 0; i < 2e6; i++) { keep.push({ i, s: "x" + i }); if (keep.length > 50000) keep = []; }',
      'const s = require("v8").getHeapSpaceStatistics().find((x) => x.space_name === "new_space");',
      'process.stdout.write(String(s.space_size));',
    ].join('\n');
    const run = (args: string[]) => Number(spawnSync(process.execPath, [...args, '-e', probe], { encoding: 'utf8' }).stdout);
    const small = run(V8_OPTIONS);
    const unset = run([]);
    expect(small).toBeLessThanOrEqual(4 * 1024 * 1024);
    expect(unset).toBeGreaterThan(small);
  });
});

describe('collection after a large load', () => {
  // The build (dist/) is what runs; scripts/test.sh builds it before the tests.
  test('the parse garbage of a load is collected while the process sits idle', () => {
    const probe = [
      `const { collectGarbageSoon } = require(${JSON.stringify(path.join(REPO, 'dist/core/heap.js'))});`,
      'let garbage = []; for (let i = 0; i < 1e6; i++) garbage.push({ i, s: "g" + i }); garbage = null;',
      'const before = process.memoryUsage().heapUsed;',
      'collectGarbageSoon(10);',
      'setTimeout(() => process.stdout.write(JSON.stringify({ before, after: process.memoryUsage().heapUsed })), 300);',
    ].join('\n');
    const out = spawnSync(process.execPath, ['-e', probe], { encoding: 'utf8' });
    const { before, after } = JSON.parse(out.stdout) as { before: number; after: number };
    expect(after).toBeLessThan(before / 4);
  });
});
