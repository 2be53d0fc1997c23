// The services' routes: echo answers the message back, model answers predictions, both in the original
// Flask services' response shapes ({"response"|"prediction"|"predictions": …, "success": true}).
import type { FastifyInstance } from 'fastify';
import { formatPrediction } from '../model/format.ts';
import type { Predictor } from '../model/load.ts';
import { readBatch, readRow, rejectUnknown, requestFields, stringField } from './input.ts';

export function registerEcho(app: FastifyInstance): void {
  const handler = async (request: { method: string; query: unknown; body: unknown }) => {
    const fields = requestFields(request.method, request.query, request.body);
    rejectUnknown(fields, ['msg']);
    return { response: stringField(fields, 'msg'), success: true };
  };
  app.get('/predict', handler);
  app.post('/predict', handler);
}

export interface ModelRoutes {
  predictor: Predictor;
  /** Feature names in the model's input order. */
  inputs: readonly string[];
  batchLimit: number;
}

export function registerModel(app: FastifyInstance, { predictor, inputs, batchLimit }: ModelRoutes): void {
  const format = (values: Float32Array, row: number): string | string[] => {
    if (predictor.outputs === 1) return formatPrediction(values[row]);
    return Array.from(values.subarray(row * predictor.outputs, (row + 1) * predictor.outputs), formatPrediction);
  };
  const handler = async (request: { method: string; query: unknown; body: unknown }) => {
    const fields = requestFields(request.method, request.query, request.body);
    if (request.method === 'POST' && 'instances' in fields) {
      const { x, rows } = readBatch(fields, inputs, batchLimit);
      const y = predictor.predict(x, rows);
      return { predictions: Array.from({ length: rows }, (_, row) => format(y, row)), success: true };
    }
    const x = new Float32Array(inputs.length);
    readRow(fields, inputs, x, 0);
    return { prediction: format(predictor.predict(x, 1), 0), success: true };
  };
  app.get('/predict', handler);
  app.post('/predict', handler);
}
