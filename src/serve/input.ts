// Turns request query strings and JSON bodies into feature rows, refusing anything else with a 4xx that names
// the field. Pure functions: the routes call them, the tests call them directly too.

/** A client mistake; the service answers `status` with {"success": false, "error": message}. */
export class InputError extends Error {
  readonly status: number;
  constructor(message: string, status = 400) {
    super(message);
    this.name = 'InputError';
    this.status = status;
  }
}

export type Fields = Record<string, unknown>;

export function isRecord(value: unknown): value is Fields {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The request's fields: the JSON body for POST, the query string for GET. */
export function requestFields(method: string, query: unknown, body: unknown): Fields {
  if (method === 'POST') {
    if (body === undefined) throw new InputError('the POST body is empty; send a JSON object with Content-Type: application/json');
    if (!isRecord(body)) throw new InputError(`the body must be a JSON object, not ${Array.isArray(body) ? 'an array' : body === null ? 'null' : `a ${typeof body}`}`);
    return body;
  }
  return isRecord(query) ? query : {};
}

/** Refuses fields the service does not know; `where` prefixes names inside a batch ("instances[3]."). */
export function rejectUnknown(fields: Fields, known: readonly string[], where = ''): void {
  for (const name of Object.keys(fields)) {
    if (!known.includes(name)) throw new InputError(`unknown field "${where}${name}"; expected ${known.join(', ')}`);
  }
}

export function stringField(fields: Fields, name: string): string {
  const value = fields[name];
  if (value === undefined) throw new InputError(`missing field "${name}"`);
  if (Array.isArray(value)) throw new InputError(`field "${name}" is given more than once`);
  if (typeof value !== 'string') throw new InputError(`field "${name}" must be a string (got ${describe(value)})`);
  return value;
}

/** A finite number, from JSON or from a query-string text such as "1" or "0.5". */
export function numberField(value: unknown, name: string): number {
  if (value === undefined) throw new InputError(`missing feature "${name}"`);
  if (Array.isArray(value)) throw new InputError(`feature "${name}" is given more than once`);
  const number = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : Number.NaN;
  if (!Number.isFinite(number)) throw new InputError(`feature "${name}" must be a finite number (got ${describe(value)})`);
  return number;
}

/** One row from an object of named features (or, in a batch, an array in input order) into `out` at `offset`. */
export function readRow(row: unknown, inputs: readonly string[], out: Float32Array, offset: number, where = ''): void {
  if (Array.isArray(row)) {
    if (row.length !== inputs.length) throw new InputError(`${where.replace(/\.$/, '')} has ${row.length} values; expected ${inputs.length} (${inputs.join(', ')})`);
    row.forEach((value, i) => (out[offset + i] = numberField(value, `${where}${inputs[i]}`)));
    return;
  }
  if (!isRecord(row)) throw new InputError(`${where.replace(/\.$/, '') || 'the row'} must be an object of features (got ${describe(row)})`);
  rejectUnknown(row, inputs, where);
  inputs.forEach((name, i) => (out[offset + i] = numberField(row[name], `${where}${name}`)));
}

/** {"instances": [...]}: every row checked, at most `limit` of them. */
export function readBatch(fields: Fields, inputs: readonly string[], limit: number): { x: Float32Array; rows: number } {
  rejectUnknown(fields, ['instances']);
  const instances = fields.instances;
  if (!Array.isArray(instances)) throw new InputError(`field "instances" must be an array of rows (got ${describe(instances)})`);
  if (instances.length === 0) throw new InputError('field "instances" is empty; send at least one row');
  if (instances.length > limit) {
    throw new InputError(`field "instances" has ${instances.length} rows, more than the batch limit of ${limit} (batchLimit in research.yaml)`, 413);
  }
  const x = new Float32Array(instances.length * inputs.length);
  instances.forEach((row, index) => readRow(row, inputs, x, index * inputs.length, `instances[${index}].`));
  return { x, rows: instances.length };
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}
