import 'reflect-metadata';
import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import { DateRangeRequest } from './date-range.request';

const problems = async (query: Record<string, string>) =>
  (await validate(plainToInstance(DateRangeRequest, query))).map((e) => [e.property, Object.values(e.constraints ?? {})]);

describe('DateRangeRequest', () => {
  it('takes either bound, both, or neither', async () => {
    expect(await problems({})).toEqual([]);
    expect(await problems({ from: '2027-01-01T00:00:00Z' })).toEqual([]);
    expect(await problems({ from: '2027-01-01', to: '2027-01-01' })).toEqual([]);
  });

  it('names `to` when it is before `from`, and a bound that is not a date', async () => {
    expect(await problems({ from: '2027-02-01', to: '2027-01-01' })).toEqual([['to', ['to must not be before from']]]);
    expect((await problems({ from: 'soon' })).map(([p]) => p)).toEqual(['from']);
  });
});
