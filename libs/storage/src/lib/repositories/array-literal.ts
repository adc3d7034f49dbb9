/** PostgreSQL's array literal of one value per item (`{"a","b",NULL}`): each element quoted, `"` and `\` escaped. */
export function arrayLiteral<T>(items: readonly T[], value: (item: T) => string | null): string {
  let out = '{';
  for (let i = 0; i < items.length; i++) {
    const v = value(items[i] as T);
    if (i > 0) out += ',';
    if (v === null) out += 'NULL';
    else if (v.indexOf('"') === -1 && v.indexOf('\\') === -1) out += `"${v}"`;
    else out += `"${v.replace(/[\\"]/g, '\\$&')}"`;
  }
  return `${out}}`;
}
