// @vitest-environment node
import { describe, expect, it } from 'vitest';
import {
  csvLayout,
  formatFromPath,
  keyRole,
  ROLE_ITEM,
  ROLE_NONE,
  ROLE_TIME_MS,
  ROLE_TIME_S,
  ROLE_TYPE,
  ROLE_USER,
} from '../../../src/cli/events/logLayout';

const key = (s: string) => keyRole(Buffer.from(s), 0, s.length);

describe('logLayout', () => {
  it('maps a CSV header by name, first column of each role, a user column over a session one', () => {
    expect(csvLayout('Event,"product_id",x,customer,session,ts,item')).toEqual({
      layout: {
        format: 'csv',
        columns: [ROLE_TYPE, ROLE_ITEM, ROLE_NONE, ROLE_USER, ROLE_NONE, ROLE_TIME_MS, ROLE_NONE],
        hasTypeColumn: true,
      },
      header: true,
    });
    expect(csvLayout('session,item').layout.columns).toEqual([ROLE_USER, ROLE_ITEM]);
    expect(csvLayout('session,item').layout.hasTypeColumn).toBe(false);
  });

  it('reads a first line without user and item names as data in user,item,timestamp,type order', () => {
    expect(csvLayout('u1,i1,1700000000,view')).toEqual({
      layout: {
        format: 'csv',
        columns: [ROLE_USER, ROLE_ITEM, ROLE_TIME_S, ROLE_TYPE],
        hasTypeColumn: true,
      },
      header: false,
    });
  });

  it('knows the NDJSON keys, the SDK camelCase spellings included', () => {
    expect([
      key('itemId'),
      key('userId'),
      key('user_id'),
      key('ts'),
      key('event'),
      key('other'),
    ]).toEqual([ROLE_ITEM, ROLE_USER, ROLE_USER, ROLE_TIME_MS, ROLE_TYPE, ROLE_NONE]);
  });

  it('takes the format from the extension', () => {
    expect(['a.CSV', 'b.ndjson', 'c.jsonl', 'd.json', 'e.log'].map(formatFromPath)).toEqual([
      'csv',
      'ndjson',
      'ndjson',
      'ndjson',
      undefined,
    ]);
  });
});
