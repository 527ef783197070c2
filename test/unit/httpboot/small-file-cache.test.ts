import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { SmallFileCache } from '../../../src/modules/httpboot/small-file-cache';

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

describe('SmallFileCache', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sfc-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const stored = (cache: SmallFileCache, file: string, text: string) => {
    fs.writeFileSync(file, text);
    return cache.store(file, file, fs.statSync(file), Buffer.from(text), 'X: y\r\n');
  };

  it('checks the file with one stat per event-loop turn: a change is seen from the next turn on', async () => {
    const file = path.join(dir, 'grub.cfg');
    const cache = new SmallFileCache();
    stored(cache, file, 'old');
    await nextTurn();
    expect(cache.lookup(file)?.content.toString()).toBe('old'); // checked by a stat: unchanged
    fs.writeFileSync(`${file}.new`, 'new!');
    fs.renameSync(`${file}.new`, file);
    // Same turn: this request arrived before the check above, which answers for it too.
    expect(cache.lookup(file)?.content.toString()).toBe('old');
    await nextTurn();
    expect(cache.lookup(file)).toBeUndefined(); // replaced: the caller takes the full path again
  });

  it('drops an entry whose file is gone', async () => {
    const file = path.join(dir, 'x.cfg');
    const cache = new SmallFileCache();
    stored(cache, file, 'x');
    fs.rmSync(file);
    await nextTurn();
    expect(cache.lookup(file)).toBeUndefined();
  });
});
