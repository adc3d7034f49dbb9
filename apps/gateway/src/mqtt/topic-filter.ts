/** MQTT 3.1.1 topic matching (section 4.7): does `filter`, with `+` and `#` wildcards, match `topic`? */
export function topicFilterMatches(filter: string, topic: string): boolean {
  const want = filter.split('/');
  const have = topic.split('/');
  for (let i = 0; i < want.length; i++) {
    const level = want[i];
    // "a/#" matches "a" itself and everything under it; "#" anywhere but last matches nothing.
    if (level === '#') return i === want.length - 1;
    if (i >= have.length) return false;
    if (level !== '+' && level !== have[i]) return false;
  }
  return want.length === have.length;
}
