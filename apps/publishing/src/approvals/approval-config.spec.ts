import { validateWorkflowConfig, MAX_CONFIG_BYTES } from './approval-config';

const uid = '0193f0a0-0000-7000-8000-0000000000b1';
const fields = (type: 'APPROVAL' | 'AUTOMATION', raw: unknown) => validateWorkflowConfig(type, raw).errors.map((e) => e.field).sort();

describe('validateWorkflowConfig', () => {
  it('accepts an APPROVAL config and normalises it (ids lower-cased, duplicates dropped)', () => {
    const { config, errors } = validateWorkflowConfig('APPROVAL', {
      levels: [{ approvers: { userIds: [uid.toUpperCase(), uid] }, mode: 'ANY' }, { approvers: { roles: ['MANAGER', 'MANAGER'] }, mode: 'ALL' }],
      conditions: { authorRoles: ['EDITOR'] },
    });
    expect(errors).toEqual([]);
    expect(config).toEqual({
      levels: [{ approvers: { userIds: [uid] }, mode: 'ANY' }, { approvers: { roles: ['MANAGER'] }, mode: 'ALL' }],
      conditions: { authorRoles: ['EDITOR'] },
    });
  });

  it('names every bad field by its path', () => {
    expect(
      fields('APPROVAL', {
        levels: [{ approvers: { userIds: ['nope'] }, mode: 'SOME' }, { approvers: {}, mode: 'ALL', colour: 1 }],
        conditions: { platforms: ['MYSPACE'], authorRoles: [] },
      }),
    ).toEqual(['config.conditions.authorRoles', 'config.conditions.platforms', 'config.levels.0.approvers.userIds', 'config.levels.0.mode', 'config.levels.1.approvers', 'config.levels.1.colour']);
  });

  it('needs 1 to 10 levels', () => {
    expect(fields('APPROVAL', {})).toEqual(['config.levels']);
    expect(fields('APPROVAL', { levels: [] })).toEqual(['config.levels']);
    const level = { approvers: { roles: ['ADMIN'] }, mode: 'ANY' };
    expect(fields('APPROVAL', { levels: Array.from({ length: 11 }, () => level) })).toEqual(['config.levels']);
  });

  it('takes any bounded JSON object for the other types', () => {
    expect(validateWorkflowConfig('AUTOMATION', { rules: [{ when: 'x' }] })).toEqual({ config: { rules: [{ when: 'x' }] }, errors: [] });
    expect(fields('AUTOMATION', { blob: 'x'.repeat(MAX_CONFIG_BYTES) })).toEqual(['config']);
    expect(fields('AUTOMATION', [1])).toEqual(['config']);
  });
});
