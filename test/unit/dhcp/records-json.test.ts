import { leaseTime } from '../../../src/modules/dhcp/records-json';

/** The form the baseline answers with, written the obvious way. */
const viaIso = (ms: number) => `${new Date(ms).toISOString().slice(0, 19).replace('T', ' ')} UTC`;

describe('leaseTime', () => {
  it('writes "YYYY-MM-DD HH:MM:SS UTC" exactly as toISOString would, across the calendar', () => {
    const samples = [0, 999, 951_782_400_000, 951_868_799_999, 1_709_164_800_000, 2_147_483_647_000, 4_107_542_400_000, 253_402_300_799_999];
    // A deterministic spread over 1970-9999, seconds and milliseconds included.
    for (let i = 0; i < 20_000; i++) samples.push(Math.floor((i * 12_670_115_039_999.7) % 253_402_300_800_000));
    for (const ms of samples) expect(leaseTime(ms)).toBe(viaIso(ms));
  });

  it('takes Dates, passes null and undefined through, and keeps toISOString for times outside 1970-9999', () => {
    expect(leaseTime(new Date('2024-02-29T23:59:59.999Z'))).toBe('2024-02-29 23:59:59 UTC');
    expect(leaseTime(null)).toBeNull();
    expect(leaseTime(undefined)).toBeNull();
    expect(leaseTime(-1)).toBe('1969-12-31 23:59:59 UTC');
    expect(leaseTime(253_402_300_800_000)).toBe(viaIso(253_402_300_800_000));
    expect(() => leaseTime(Number.NaN)).toThrow(RangeError);
  });
});
