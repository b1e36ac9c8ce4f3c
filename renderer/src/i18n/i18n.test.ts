import { describe, expect, it } from 'vitest';
import { en } from './en';
import { zhCN } from './zh-CN';

function entries(value: unknown, prefix = ''): Array<[string, string]> {
  if (typeof value === 'string') return [[prefix, value]];
  return Object.entries(value as object).flatMap(([k, v]) => entries(v, prefix ? `${prefix}.${k}` : k));
}

describe('translations', () => {
  const english = new Map(entries(en));
  const chinese = new Map(entries(zhCN));

  it('have exactly the same keys in English and 简体中文', () => {
    expect([...chinese.keys()].sort()).toEqual([...english.keys()].sort());
  });

  it('translate the strings (a few, like the app name and shortcuts, stay the same by design)', () => {
    expect([...chinese.values()].every((s) => s.length > 0)).toBe(true);
    const same = [...chinese].filter(([key, text]) => english.get(key) === text).map(([key]) => key);
    expect(same.length / chinese.size).toBeLessThan(0.1);
  });

  it('keep interpolation placeholders', () => {
    for (const [key, text] of english) {
      const placeholders = (s: string) => (s.match(/\{\{\s*\w+\s*\}\}/g) ?? []).map((p) => p.replace(/\s/g, '')).sort();
      expect(placeholders(chinese.get(key) ?? ''), key).toEqual(placeholders(text));
    }
  });
});
