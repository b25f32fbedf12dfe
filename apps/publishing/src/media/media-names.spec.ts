import { escapeLike, folderProblems, sanitizeFilename, splitTags, tagProblems } from './media-names';

describe('folder paths', () => {
  it.each(['logos', 'campaigns/2026/spring', 'Brand Assets/Été 2026', 'a/b/c/d/e/f/g/h'])('accepts %s', (folder) => {
    expect(folderProblems(folder)).toEqual([]);
  });

  it.each([
    ['', 'must not be empty'],
    ['/etc', 'must not start with a slash'],
    ['logos/', 'must not end with a slash'],
    ['a//b', 'empty segments'],
    ['..', '. or .. segments'],
    ['a/../../b', '. or .. segments'],
    ['./a', '. or .. segments'],
    ['a\\b', 'not \\'],
    ['a/\u0000b', 'control characters'],
    ['a/\u202eb', 'control characters'],
    [' a/b', 'spaces'],
    ['a/b ', 'spaces'],
    ['a/b/c/d/e/f/g/h/i', 'at most 8 levels'],
    ['x'.repeat(65), 'at most 64 characters'],
    [Array(50).fill('abcdef').join('/'), 'at most 255 characters'],
  ])('refuses %j: %s', (folder, problem) => {
    expect(folderProblems(folder).join('; ')).toContain(problem);
  });
});

describe('tags', () => {
  it('splits repeated and comma-separated values, trims and de-duplicates in order', () => {
    expect(splitTags(['summer, launch', 'launch', ' q3 ', ',,'])).toEqual(['summer', 'launch', 'q3']);
  });

  it('names a tag that is too long or has control characters', () => {
    expect(tagProblems('x'.repeat(51))).toEqual(['each tag must be at most 50 characters']);
    expect(tagProblems('a\u0007')).toEqual(['tags must not contain control characters']);
    expect(tagProblems('  ')).toEqual(['tags must not be empty']);
    expect(tagProblems('fine')).toEqual([]);
  });
});

describe('sanitizeFilename', () => {
  it.each([
    ['Hero shot.png', 'Hero shot.png'],
    ['C:\\Users\\me\\photo.jpg', 'photo.jpg'],
    ['../../etc/passwd', 'passwd'],
    ['a<b>c:d"e|f?g*h.png', 'a_b_c_d_e_f_g_h.png'],
    ['tab\there\u0000.png', 'tabhere.png'],
    ['  spaced   out  .gif ', 'spaced out .gif'],
    ['.hidden.png', 'hidden.png'],
    ['...', 'upload.png'],
    ['', 'upload.png'],
    [undefined, 'upload.png'],
    ['e\u0301te\u0301.png', 'été.png'],
  ])('%j → %j', (raw, expected) => {
    expect(sanitizeFilename(raw, 'png')).toBe(expected);
  });

  it('keeps at most 255 characters (code points), the extension included', () => {
    const long = sanitizeFilename(`${'🎉'.repeat(300)}.jpeg`, 'jpg');
    expect([...long]).toHaveLength(255);
    expect(long.endsWith('🎉.jpeg')).toBe(true);
  });
});

describe('escapeLike', () => {
  it('makes LIKE wildcards literal', () => {
    expect(escapeLike('100%_off\\now')).toBe('100\\%\\_off\\\\now');
  });
});
