// The services' answers to /predict: echo answers the message back, model answers predictions, both in the original
// Flask services' response shapes ({"response"|"prediction"|"predictions": …, "success": true}). Pure: fields in,
// the JSON value out, or an InputError naming the field.
import { formatPrediction } from '../model/format.ts';
import type { Predictor } from '../model/load.ts';
import { type Fields, readBatch, readRow, rejectUnknown, stringField } from './input.ts';

/** The answer to GET (fields from the query string) or POST (fields from the JSON body). */
export type Answer = (method: 'GET' | 'POST', fields: Fields) => object;

export const echoAnswer: Answer = (_method, fields) => {
  rejectUnknown(fields, ['msg']);
  return { response: stringField(fields, 'msg'), success: true };
};

export interface ModelRoutes {
  predictor: Predictor;
  /** Feature names in the model's input order. */
  inputs: readonly string[];
  batchLimit: number;
}

export function modelAnswer({ predictor, inputs, batchLimit }: ModelRoutes): Answer {
  const format = (values: Float32Array, row: number): string | string[] => {
    if (predictor.outputs === 1) return formatPrediction(values[row]);
    return Array.from(values.subarray(row * predictor.outputs, (row + 1) * predictor.outputs), formatPrediction);
  };
  return (method, fields) => {
    if (method === 'POST' && 'instances' in fields) {
      const { x, rows } = readBatch(fields, inputs, batchLimit);
      const y = predictor.predict(x, rows);
      return { predictions: Array.from({ length: rows }, (_, row) => format(y, row)), success: true };
    }
    const x = new Float32Array(inputs.length);
    readRow(fields, inputs, x, 0);
    return { prediction: format(predictor.predict(x, 1), 0), success: true };
  };
}
