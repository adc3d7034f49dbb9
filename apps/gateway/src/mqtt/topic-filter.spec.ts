import { topicFilterMatches } from './topic-filter';

const acks = 'homeward/v1/devices/d1/acks';

it.each([
  ['homeward/v1/devices/d1/acks', true],
  ['homeward/v1/devices/d1/#', true],
  ['homeward/v1/devices/d1/acks/#', true], // "a/#" covers "a" itself (MQTT 3.1.1, 4.7.1.2)
  ['homeward/v1/devices/+/acks', true],
  ['#', true],
  ['homeward/v1/devices/d1/readings', false],
  ['homeward/v1/devices/d2/acks', false],
  ['homeward/v1/devices/d1/acks/more', false],
  ['homeward/v1/devices/d1', false],
  ['homeward/v1/devices/d1/', false],
  ['homeward/v1/devices/d1/#/acks', false],
  ['homeward/v1/devices/d1/acksx', false],
])(`filter %s on ${acks}: %s`, (filter, expected) => {
  expect(topicFilterMatches(filter, acks)).toBe(expected);
});
