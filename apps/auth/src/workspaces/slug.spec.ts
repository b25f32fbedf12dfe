import { firstFreeSlug, slugify } from './slug';

describe('workspace slugs', () => {
  it('derives a URL-safe slug from any name', () => {
    expect(slugify('Acme Café & Co.')).toBe('acme-cafe-co');
    expect(slugify('  ---  ')).toBe('workspace');
    expect(slugify('日本')).toBe('workspace');
    expect(slugify('x'.repeat(80))).toHaveLength(48);
  });

  it('adds -2, -3, … on a clash', () => {
    expect(firstFreeSlug('acme', new Set())).toBe('acme');
    expect(firstFreeSlug('acme', new Set(['acme']))).toBe('acme-2');
    expect(firstFreeSlug('acme', new Set(['acme', 'acme-2', 'acme-3']))).toBe('acme-4');
  });
});
