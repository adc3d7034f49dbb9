import { ReplayClock } from './replay-clock';

const DAY = 86_400_000;

describe('ReplayClock', () => {
  it('stands at the timeline start before the replay, runs at its speed during it, and never passes the real time', () => {
    let real = Date.parse('2026-03-10T12:00:00Z');
    const start = new Date('2026-03-01T00:00:00Z');
    const clock = new ReplayClock(start, () => real);
    expect(clock.now()).toEqual(start);
    real += 5_000; // seeding the ward
    expect(clock.now()).toEqual(start);

    clock.follow({ simulatedStart: start, realStart: real, speed: DAY / 2_500 }); // 2.5 s a day
    real += 2_500;
    expect(clock.now()).toEqual(new Date(start.getTime() + DAY));
    real += 2_500 * 8;
    expect(clock.now()).toEqual(new Date(start.getTime() + 9 * DAY));

    // Ten simulated days after the start is later than now: the real clock takes over.
    real += 2_500 * 2;
    expect(clock.now()).toEqual(new Date(real));
  });
});
