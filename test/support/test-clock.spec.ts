import { TEST_START, TestClock } from './test-app';

describe('TestClock', () => {
  it('starts at TEST_START, whatever the real date', () => {
    const clock = new TestClock();
    expect(clock.today()).toBe('2026-06-15');
    expect(clock.now().getTime() - Date.parse(TEST_START)).toBeGreaterThanOrEqual(0);
    expect(clock.now().getTime() - Date.parse(TEST_START)).toBeLessThan(1_000);
  });

  it('jumps to a set instant and moves on by the given amount', () => {
    const clock = new TestClock();
    clock.setNow('2025-12-31T15:59:00Z');
    expect(clock.today()).toBe('2025-12-31');
    clock.advance(60_000);
    expect(clock.today()).toBe('2026-01-01');
    expect(clock.now().getTime() - Date.parse('2025-12-31T16:00:00Z')).toBeLessThan(1_000);
  });
});
