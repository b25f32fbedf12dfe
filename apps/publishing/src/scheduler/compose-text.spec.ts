import { composeText, withUtm } from './compose-text';

describe('composeText', () => {
  it('applies overrides, adds missing hashtags once, and ends with the link', () => {
    expect(composeText({ text: 'Launch #today', hashtags: ['today', 'launch'], link: 'https://x.io/a' }, null)).toBe('Launch #today #launch\nhttps://x.io/a');
    expect(composeText({ text: 'Long text', hashtags: ['a'] }, { text: 'Short', hashtags: [] })).toBe('Short');
  });

  it('adds UTM parameters, with the network as utm_source unless the campaign sets one', () => {
    expect(withUtm('https://x.io/a?x=1', { utm_campaign: 'q4' }, 'TWITTER')).toBe('https://x.io/a?x=1&utm_source=twitter&utm_campaign=q4');
    expect(withUtm('https://x.io/a', { utm_source: 'newsletter', utm_medium: 'social' }, 'LINKEDIN')).toBe('https://x.io/a?utm_source=newsletter&utm_medium=social');
    expect(withUtm('https://x.io/a', {}, 'LINKEDIN')).toBe('https://x.io/a');
  });
});
