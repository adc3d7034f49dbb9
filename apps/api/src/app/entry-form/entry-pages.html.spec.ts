import { escapeHtml, readingsPage, signInPage } from './entry-pages.html';

describe('the entry form pages', () => {
  it('escapes everything a person typed or a ward wrote', () => {
    expect(escapeHtml(`<b a="1" b='2'>&</b>`)).toBe('&lt;b a=&quot;1&quot; b=&#39;2&#39;&gt;&amp;&lt;/b&gt;');
    const html = readingsPage({ name: '<Ann>', csrf: 't"1', signOutCsrf: 't2', values: { spo2: '"><script>' }, errors: { spo2: 'Bad <value>' }, advice: 'Call <ward>' });
    expect(html).not.toMatch(/<script|<Ann>|<value>|<ward>/);
    expect(html).toContain('value="&quot;&gt;&lt;script&gt;"');
    expect(html).toContain('name="csrf" value="t&quot;1"');
  });

  it('ties hints and errors to their fields and titles an error page as one', () => {
    const html = readingsPage({ name: 'Ann', csrf: 't', signOutCsrf: 't2', errors: { heart_rate: 'Pulse must be a number, like 72.' } });
    expect(html).toContain('<title>Error: Send your readings – Homeward</title>');
    expect(html).toContain('aria-describedby="heart_rate-hint heart_rate-error" aria-invalid="true"');
    expect(html).toContain('aria-describedby="spo2-hint">');
    expect(html).toContain('<a href="#heart_rate">Pulse must be a number, like 72.</a>');
    expect(signInPage({ csrf: 'k' })).not.toContain('<script');
  });
});
