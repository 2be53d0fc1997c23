// JSON: compared as a structure (key order ignored), numbers with the tolerance, each difference at its JSON path.
import type { Tolerance } from '../../manifest/schema.ts';
import type { Comparison, CompareContext } from '../types.ts';
import { describeNumberDeviation, judgeNumbers } from '../tolerance.ts';
import { FindingCollector, identical, unreadable } from './collect.ts';

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

export function compareJson(committed: Buffer, rerun: Buffer, context: CompareContext): Comparison {
  const a = parseJson(committed.toString('utf8'));
  if ('error' in a) return unreadable('committed', a.error);
  const b = parseJson(rerun.toString('utf8'));
  if ('error' in b) return unreadable('re-run', b.error);
  return compareJsonValues(a.value, b.value, context.tolerance);
}

export function compareJsonValues(a: JsonValue, b: JsonValue, tolerance: Tolerance): Comparison {
  const collector = new FindingCollector();
  walk(a, b, '$', tolerance, collector);
  return collector.count === 0 && !collector.failed ? identical() : collector.result();
}

function parseJson(text: string): { value: JsonValue } | { error: string } {
  if (text.trim() === '') return { error: 'the file is empty' };
  try {
    return { value: JSON.parse(text) as JsonValue };
  } catch (error) {
    return { error: error instanceof Error ? error.message : String(error) };
  }
}

function walk(a: JsonValue, b: JsonValue, path: string, tolerance: Tolerance, collector: FindingCollector): void {
  if (typeof a === 'number' && typeof b === 'number') {
    if (a === b) return;
    // The key a number sits under can carry its own tolerance, as a table column does.
    const key = /\.([^.[\]]+)$/.exec(path)?.[1] ?? '';
    const own = tolerance.columns?.[key];
    const limits = { rtol: own?.rtol ?? tolerance.rtol ?? 0, atol: own?.atol ?? tolerance.atol ?? 0, nanEqual: tolerance.nanEqual ?? false };
    const judgement = judgeNumbers(a, b, limits);
    const finding = { where: path, committed: String(a), rerun: String(b), deviation: describeNumberDeviation(judgement), withinTolerance: judgement.ok };
    collector.add(finding, judgement.score);
    return;
  }
  const typeA = typeOf(a);
  const typeB = typeOf(b);
  if (typeA !== typeB) {
    collector.add({ where: path, committed: preview(a), rerun: preview(b), deviation: `${typeA} → ${typeB}`, withinTolerance: false }, Infinity);
    return;
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) {
      collector.add({ where: path, committed: `${a.length} items`, rerun: `${b.length} items`, deviation: 'length differs', withinTolerance: false }, Infinity);
    }
    for (let i = 0; i < Math.min(a.length, b.length); i++) walk(a[i], b[i], `${path}[${i}]`, tolerance, collector);
    return;
  }
  if (typeA === 'object') {
    const objectA = a as Record<string, JsonValue>;
    const objectB = b as Record<string, JsonValue>;
    for (const key of Object.keys(objectA)) {
      const child = childPath(path, key);
      if (!Object.hasOwn(objectB, key)) {
        collector.add({ where: child, committed: preview(objectA[key]), rerun: '(absent)', deviation: 'key missing from the re-run', withinTolerance: false }, Infinity);
      } else walk(objectA[key], objectB[key], child, tolerance, collector);
    }
    for (const key of Object.keys(objectB)) {
      if (!Object.hasOwn(objectA, key)) {
        collector.add({ where: childPath(path, key), committed: '(absent)', rerun: preview(objectB[key]), deviation: 'extra key in the re-run', withinTolerance: false }, Infinity);
      }
    }
    return;
  }
  if (a !== b) collector.add({ where: path, committed: preview(a), rerun: preview(b), deviation: 'value differs', withinTolerance: false }, Infinity);
}

function typeOf(value: JsonValue): string {
  return value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value;
}

function childPath(path: string, key: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;
}

function preview(value: JsonValue): string {
  const text = JSON.stringify(value);
  return text.length > 80 ? text.slice(0, 79) + '…' : text;
}
