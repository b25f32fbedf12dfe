import { publishText } from '../scheduler/compose-text';
import { tagLink, tagLinks, utmFor } from './utm-links';

const q4 = utmFor({ utm_campaign: 'q4', utm_medium: 'social' }, 'TWITTER');

describe('utmFor', () => {
  it('uses the network, lower-case, as utm_source unless the campaign sets one, in a fixed order', () => {
    expect(q4).toEqual([
      ['utm_source', 'twitter'],
      ['utm_medium', 'social'],
      ['utm_campaign', 'q4'],
    ]);
    expect(utmFor({ utm_content: 'b', utm_source: 'newsletter' }, 'LINKEDIN')).toEqual([
      ['utm_source', 'newsletter'],
      ['utm_content', 'b'],
    ]);
  });

  it('ignores keys that are not UTM parameters and empty values', () => {
    expect(utmFor({ ref: 'x', utm_term: '' }, 'FACEBOOK')).toEqual([['utm_source', 'facebook']]);
  });
});

describe('tagLink', () => {
  it.each([
    ['https://x.io/a', 'https://x.io/a?utm_source=twitter&utm_medium=social&utm_campaign=q4'],
    ['https://x.io', 'https://x.io?utm_source=twitter&utm_medium=social&utm_campaign=q4'],
    ['http://x.io/a?b=1&c=two%20words', 'http://x.io/a?b=1&c=two%20words&utm_source=twitter&utm_medium=social&utm_campaign=q4'],
    ['https://x.io/a?', 'https://x.io/a?utm_source=twitter&utm_medium=social&utm_campaign=q4'],
    ['https://x.io/a?b=1&', 'https://x.io/a?b=1&utm_source=twitter&utm_medium=social&utm_campaign=q4'],
    ['https://x.io/a#part', 'https://x.io/a?utm_source=twitter&utm_medium=social&utm_campaign=q4#part'],
    ['https://x.io/a?b=1#p?q=2', 'https://x.io/a?b=1&utm_source=twitter&utm_medium=social&utm_campaign=q4#p?q=2'],
    ['HTTPS://X.IO/Path', 'HTTPS://X.IO/Path?utm_source=twitter&utm_medium=social&utm_campaign=q4'],
    ['https://user@x.io:8443/a', 'https://user@x.io:8443/a?utm_source=twitter&utm_medium=social&utm_campaign=q4'],
  ])('%s', (link, tagged) => {
    expect(tagLink(link, q4)).toBe(tagged);
  });

  it('keeps UTM parameters the link already carries, in any case, and adds only the missing ones', () => {
    expect(tagLink('https://x.io/a?utm_source=partner&UTM_CAMPAIGN=spring', q4)).toBe('https://x.io/a?utm_source=partner&UTM_CAMPAIGN=spring&utm_medium=social');
    expect(tagLink('https://x.io/a?utm_source=a&utm_medium=b&utm_campaign=c', q4)).toBe('https://x.io/a?utm_source=a&utm_medium=b&utm_campaign=c');
  });

  it('encodes values', () => {
    expect(tagLink('https://x.io/', [['utm_campaign', 'spring sale & more']])).toBe('https://x.io/?utm_campaign=spring%20sale%20%26%20more');
  });

  it.each(['ftp://x.io/a', 'mailto:a@x.io', 'www.x.io/a', '/relative/path', 'https://', 'http://[::1', 'javascript:alert(1)'])('leaves %s alone', (link) => {
    expect(tagLink(link, q4)).toBe(link);
  });

  it('changes nothing without parameters', () => {
    expect(tagLink('https://x.io/a', [])).toBe('https://x.io/a');
  });
});

describe('tagLinks', () => {
  const p: [string, string][] = [['utm_source', 'x']];

  it('tags every http(s) link in the text and nothing else', () => {
    expect(tagLinks('Read https://a.io/1 and http://b.io/2?k=v, not ftp://c.io or www.d.io', p)).toBe('Read https://a.io/1?utm_source=x and http://b.io/2?k=v&utm_source=x, not ftp://c.io or www.d.io');
  });

  it.each([
    ['See https://a.io/post.', 'See https://a.io/post?utm_source=x.'],
    ['Really? https://a.io/post?!', 'Really? https://a.io/post?utm_source=x?!'],
    ['Wow https://a.io/…', 'Wow https://a.io/?utm_source=x…'],
    ['(see https://a.io/post)', '(see https://a.io/post?utm_source=x)'],
    ['[docs](https://a.io/docs)', '[docs](https://a.io/docs?utm_source=x)'],
    ['https://en.wikipedia.org/wiki/Foo_(bar)', 'https://en.wikipedia.org/wiki/Foo_(bar)?utm_source=x'],
    ['(https://en.wikipedia.org/wiki/Foo_(bar)).', '(https://en.wikipedia.org/wiki/Foo_(bar)?utm_source=x).'],
    ['"https://a.io/q"', '"https://a.io/q?utm_source=x"'],
    ["'https://a.io/q'", "'https://a.io/q?utm_source=x'"],
    ['<https://a.io/q>', '<https://a.io/q?utm_source=x>'],
    ['https://a.io/a#frag, then', 'https://a.io/a?utm_source=x#frag, then'],
    ['line one\nhttps://a.io/x\nline three', 'line one\nhttps://a.io/x?utm_source=x\nline three'],
    ['twice: https://a.io/ https://a.io/', 'twice: https://a.io/?utm_source=x https://a.io/?utm_source=x'],
    ['nested https://a.io/r?to=https://b.io/', 'nested https://a.io/r?to=https://b.io/&utm_source=x'],
    ['glued xhttps://a.io/ stays', 'glued xhttps://a.io/ stays'],
    ['no links at all', 'no links at all'],
  ])('%j', (text, tagged) => {
    expect(tagLinks(text, p)).toBe(tagged);
  });
});

describe('publishText (the text validated at schedule time and sent at publish time)', () => {
  const content = { text: 'New post: https://blog.io/p?ref=home. Also https://shop.io/#top', hashtags: ['launch'], link: 'https://x.io/landing' };

  it("tags the link field, the text's links and an override's links, with the network as utm_source", () => {
    expect(publishText(content, null, 'TWITTER', { utm_campaign: 'spring' })).toBe(
      'New post: https://blog.io/p?ref=home&utm_source=twitter&utm_campaign=spring. Also https://shop.io/?utm_source=twitter&utm_campaign=spring#top #launch\nhttps://x.io/landing?utm_source=twitter&utm_campaign=spring',
    );
    expect(publishText(content, { text: 'Short: https://s.io/a', link: 'https://x.io/li' }, 'LINKEDIN', { utm_campaign: 'spring', utm_source: 'social' })).toBe(
      'Short: https://s.io/a?utm_source=social&utm_campaign=spring #launch\nhttps://x.io/li?utm_source=social&utm_campaign=spring',
    );
  });

  it('leaves posts without a campaign, or of a campaign without UTM parameters, untouched', () => {
    const plain = 'New post: https://blog.io/p?ref=home. Also https://shop.io/#top #launch\nhttps://x.io/landing';
    expect(publishText(content, null, 'TWITTER', null)).toBe(plain);
    expect(publishText(content, null, 'TWITTER', {})).toBe(plain);
  });

  it('does not repeat a link the text already carries', () => {
    expect(publishText({ text: 'Go https://x.io/a', link: 'https://x.io/a' }, null, 'FACEBOOK', { utm_medium: 'social' })).toBe('Go https://x.io/a?utm_source=facebook&utm_medium=social');
  });
});
