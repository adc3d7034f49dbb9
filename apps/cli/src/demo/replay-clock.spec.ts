import { ReplayClock } from './replay-clock';

const DAY = 86_400_000;

describe('ReplayClock', () => {
  it('stands at the timeline start before the replay, moves on only when stepped, and is the real clock once in the present', () => {
    let real = Date.parse('2026-03-10T12:00:00Z');
    const start = new Date('2026-03-01T00:00:00Z');
    const clock = new ReplayClock(start, () => real);
    expect(clock.now()).toEqual(start);
    real += 5_000; // seeding the ward: the clock does not run on its own
    expect(clock.now()).toEqual(start);

    clock.set(new Date(start.getTime() + DAY));
    real += 2_500;
    expect(clock.now()).toEqual(new Date(start.getTime() + DAY));
    expect(() => clock.set(start)).toThrow('cannot go back');

    clock.toPresent();
    expect(clock.now()).toEqual(new Date(real));
    real += 1_000;
    expect(clock.now()).toEqual(new Date(real));
    expect(() => clock.set(new Date(real + DAY))).toThrow('already follows the real clock');
  });
});
